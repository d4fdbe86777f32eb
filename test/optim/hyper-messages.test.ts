import { test } from 'node:test';
import { ArgumentError, Tensor } from '../../src/tensor/index.js';
import { Adam, SGD } from '../../src/optim/index.js';
import { assertThrowsWith } from '../helpers.js';

const param = () => new Tensor(Float32Array.of(0), [1], true);

test('an infinite learning rate is refused with a message that does not offer Infinity', () => {
  assertThrowsWith(() => new Adam([param()], { lr: Infinity }), ArgumentError, 'Adam: lr must be a finite number >= 0, got Infinity');
  assertThrowsWith(() => new SGD([param()], { lr: NaN }), ArgumentError, 'SGD: lr must be a finite number >= 0, got NaN');
  assertThrowsWith(() => new SGD([param()], { lr: 0.1, dampening: 2 }), ArgumentError, 'SGD: dampening must be a number in [0, 1], got 2');
});
