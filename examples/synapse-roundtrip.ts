/**
 * The request path of a bittensor call, end to end, without a network: a validator (dendrite side) builds a typed
 * synapse, signs it exactly as Python bittensor 10.x does, and a miner (axon side) rebuilds it from the wire,
 * checks the signature and the body hash, answers, and the validator reads the answer.
 *
 *   npm run demo
 */
import { randomUUID } from 'node:crypto';
import { Synapse, Tensor, defineSynapse, t } from 'subnetkit/synapse';
import { cryptoReady, keypairFromUri, sign, verify } from 'subnetkit/keys';
import { decodeTopk, encodeTopk, topkFromLogits } from 'subnetkit/codec';

// A subnet's protocol: a prompt in, top-k next-token log-probs out (as a compact binary blob in a Tensor).
const NextToken = defineSynapse({
  name: 'NextToken',
  fields: {
    prompt: t.str(),
    k: t.int().default(20),
    topk: t.tensor().optional(),
  },
  requiredHashFields: ['prompt', 'k'],
});

await cryptoReady();
const validator = keypairFromUri('//Alice');
const miner = keypairFromUri('//Bob');
const dendriteUuid = randomUUID();

// --- validator: build, fill terminal info, sign "{nonce}.{dendrite}.{axon}.{uuid}.{body_hash}" -----------------
const request = new NextToken({ prompt: 'The quick brown fox', timeout: 12 });
request.dendrite.hotkey = validator.ss58Address;
request.dendrite.nonce = process.hrtime.bigint() + BigInt(Date.now()) * 1_000_000n;
request.dendrite.uuid = dendriteUuid;
request.dendrite.version = 10002000;
request.axon.hotkey = miner.ss58Address;
const message = `${request.dendrite.nonce}.${validator.ss58Address}.${miner.ss58Address}.${dendriteUuid}.${request.bodyHash}`;
request.dendrite.signature = sign(validator, message);
const wire = { headers: request.toHeaders(), body: request.toJSON() };
console.log(
  `validator -> POST /${wire.headers.name}  (${wire.body.length} B body, ${Object.keys(wire.headers).length} headers)`,
);

// --- miner: rebuild from the wire, verify signature and body hash, answer ---------------------------------------
const fromHeaders = NextToken.fromHeaders(wire.headers);
const received = NextToken.fromJSON(wire.body);
const signed = `${fromHeaders.dendrite.nonce}.${fromHeaders.dendrite.hotkey}.${miner.ss58Address}.${fromHeaders.dendrite.uuid}.${fromHeaders.computed_body_hash}`;
const signatureOk = verify(signed, fromHeaders.dendrite.signature ?? '', fromHeaders.dendrite.hotkey ?? '');
const bodyHashOk = received.bodyHash === fromHeaders.computed_body_hash;
console.log(
  `miner    <- signature ${signatureOk ? 'valid' : 'INVALID'}, body hash ${bodyHashOk ? 'matches' : 'MISMATCH'}`,
);
if (!signatureOk || !bodyHashOk) process.exit(1);

const logits = new Float32Array(50257).map((_, i) => -Math.log(1 + i) + Math.sin(i * 7.1)); // a stand-in model
const top = topkFromLogits(logits, received.k);
const blob = encodeTopk({
  rows: 1,
  k: received.k,
  ids: top.ids,
  logprobs: Float32Array.from(top.logprobs),
  residual: Float32Array.of(top.residual),
});
received.topk = Tensor.fromArray(blob);
received.axon.status_code = 200;
received.axon.status_message = 'Success';
const response = received.toJSON();

// --- validator: read the answer ---------------------------------------------------------------------------------
const answer = NextToken.fromJSON(response);
const decoded = decodeTopk(answer.topk!.toArray() as Uint8Array);
const best = decoded.logprobs.indexOf(Math.max(...decoded.logprobs));
console.log(
  `validator <- status ${answer.axon.status_code}, ${blob.length} B of top-${decoded.k} (vs ${JSON.stringify(Array.from(top.ids, (id, i) => ({ id, logprob: top.logprobs[i] }))).length} B as JSON)`,
);
console.log(
  `            most likely next token id ${decoded.ids[best]} at logprob ${decoded.logprobs[best]!.toFixed(3)} (true ${top.logprobs[0]!.toFixed(3)})`,
);
console.log(`            ping body hash ${new Synapse().bodyHash.slice(0, 16)}… = sha3_256("")`);
