/** Re-exports for the inference tests, plus the internal model encoder to build deliberately broken models. */
export * from '../../src/inference/index.js';
export { encodeModel as encodeModelForTest } from '../../src/inference/onnx/graph.js';
