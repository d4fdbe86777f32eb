/*
 * Chainable Tensor methods (x.reshape(...).relu().sum()), attached here by the
 * op layer that owns them, as TensorFlow.js does, so tensor/ stays at the bottom
 * of the import graph.
 */
import { Tensor, type DType } from '../tensor/index.js';
import { abs, add, div, exp, log, mul, neg, pow, sqrt, sub, clamp } from './elementwise.js';
import type { TensorOrNumber } from './util.js';
import { argmax, max, mean, min, sum, variance, type ReduceOptions, type VarianceOptions } from './reduce.js';
import { cast, flatten, permute, reshape, squeeze, transpose, unsqueeze } from './shape.js';
import { matmul } from './matmul.js';
import { conv2d, type Conv2dOptions } from './conv.js';
import { logSoftmax, relu, sigmoid, softmax, tanh } from './activation.js';
import { avgPool2d, maxPool2d, type AvgPool2dOptions, type MaxPool2dOptions } from './pool.js';

declare module '../tensor/tensor.js' {
  interface Tensor {
    add(other: TensorOrNumber): Tensor;
    sub(other: TensorOrNumber): Tensor;
    mul(other: TensorOrNumber): Tensor;
    div(other: TensorOrNumber): Tensor;
    pow(exponent: TensorOrNumber): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    clamp(min?: number, max?: number): Tensor;
    sum(opts?: ReduceOptions): Tensor;
    mean(opts?: ReduceOptions): Tensor;
    max(opts?: ReduceOptions): Tensor;
    min(opts?: ReduceOptions): Tensor;
    variance(opts?: VarianceOptions): Tensor;
    argmax(axis?: number, keepdims?: boolean): Tensor;
    reshape(shape: readonly number[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    permute(perm: readonly number[]): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    squeeze(axis?: number): Tensor;
    unsqueeze(axis: number): Tensor;
    cast(dtype: DType): Tensor;
    matmul(other: Tensor): Tensor;
    conv2d(weight: Tensor, opts?: Conv2dOptions): Tensor;
    maxPool2d(opts: MaxPool2dOptions): Tensor;
    avgPool2d(opts: AvgPool2dOptions): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
  }
}

const P = Tensor.prototype;
P.add = function (o) { return add(this, o); };
P.sub = function (o) { return sub(this, o); };
P.mul = function (o) { return mul(this, o); };
P.div = function (o) { return div(this, o); };
P.pow = function (o) { return pow(this, o); };
P.neg = function () { return neg(this); };
P.exp = function () { return exp(this); };
P.log = function () { return log(this); };
P.sqrt = function () { return sqrt(this); };
P.abs = function () { return abs(this); };
P.clamp = function (lo, hi) { return clamp(this, lo, hi); };
P.sum = function (o) { return sum(this, o); };
P.mean = function (o) { return mean(this, o); };
P.max = function (o) { return max(this, o); };
P.min = function (o) { return min(this, o); };
P.variance = function (o) { return variance(this, o); };
P.argmax = function (a, k) { return argmax(this, a, k); };
P.reshape = function (s) { return reshape(this, s); };
P.flatten = function (a, b) { return flatten(this, a, b); };
P.permute = function (p) { return permute(this, p); };
P.transpose = function (a, b) { return transpose(this, a, b); };
P.squeeze = function (a) { return squeeze(this, a); };
P.unsqueeze = function (a) { return unsqueeze(this, a); };
P.cast = function (d) { return cast(this, d); };
P.matmul = function (o) { return matmul(this, o); };
P.conv2d = function (w, o) { return conv2d(this, w, o); };
P.maxPool2d = function (o) { return maxPool2d(this, o); };
P.avgPool2d = function (o) { return avgPool2d(this, o); };
P.relu = function () { return relu(this); };
P.sigmoid = function () { return sigmoid(this); };
P.tanh = function () { return tanh(this); };
P.softmax = function (a) { return softmax(this, a); };
P.logSoftmax = function (a) { return logSoftmax(this, a); };
