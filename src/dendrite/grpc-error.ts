/** The dendrite's gRPC failure type, kept apart from @grpc/grpc-js so that plain HTTP dendrites never load it. */

/** A gRPC failure with the axon's status when it sent one. */
export class GrpcCallError extends Error {
  constructor(
    readonly code: number,
    readonly status: number,
    message: string,
    readonly headers: Record<string, string>,
  ) {
    super(message);
  }
}
