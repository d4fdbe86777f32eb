import { ReceptiveError, Tensor } from '../../tensor/index.js';
import { tensorFromProto, toNumber, type OnnxAttribute, type OnnxNode } from './proto.js';

/** An ONNX node that cannot be run as written: names the node, its op and the opset. */
export class OnnxError extends ReceptiveError {}

/** What an op implementation sees of its node: typed attribute access and its place in the graph. */
export class NodeContext {
  private readonly byName: Map<string, OnnxAttribute>;
  constructor(readonly node: OnnxNode, readonly opset: number, readonly file: string) {
    this.byName = new Map((node.attribute ?? []).map((a) => [a.name, a]));
  }
  get where(): string {
    return `ONNX node ${this.node.name ? `"${this.node.name}" ` : ''}(${this.node.op_type}, opset ${this.opset})`;
  }
  /** An error for something this node asks that Receptive cannot do. */
  unsupported(what: string): OnnxError {
    return new OnnxError(`${this.where}: ${what} is not supported`);
  }
  invalid(what: string): OnnxError {
    return new OnnxError(`${this.where}: ${what}`);
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  int(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a === undefined ? fallback : toNumber(a.i);
  }
  float(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a === undefined ? fallback : (a.f ?? 0);
  }
  ints(name: string): number[] | undefined {
    const a = this.byName.get(name);
    return a === undefined ? undefined : (a.ints ?? []).map((v) => toNumber(v));
  }
  floats(name: string): number[] | undefined {
    return this.byName.get(name)?.floats;
  }
  str(name: string, fallback: string): string {
    const a = this.byName.get(name);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }
  tensor(name: string): Tensor | undefined {
    const a = this.byName.get(name);
    return a?.t ? tensorFromProto(a.t, this.file) : undefined;
  }
  /** Names of the attributes present, to refuse the ones an implementation does not read. */
  names(): string[] {
    return [...this.byName.keys()];
  }
}

/** An optional input given as a tensor of integers (shapes, axes, pads) as plain numbers. */
export function intsOf(t: Tensor | null | undefined): number[] | undefined {
  return t ? Array.from(t.data, Number) : undefined;
}
