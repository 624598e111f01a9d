/**
 * `POST /v1/chat/completions`: the messages rendered as `role: content` lines, then one generation loop whose text is
 * either streamed as deltas or returned as one message.
 */
import type { ServerResponse } from 'node:http';
import type { EndpointContext } from './completions.js';
import { createTextPieces } from '../text-pieces.js';
import { generateSteps } from './generation.js';
import { HttpError, intField, json, openEventStream, temperatureField } from './http.js';

const ROLES = ['system', 'user', 'assistant'];

function renderMessages(messages: unknown): string {
  if (!Array.isArray(messages) || messages.length === 0) throw new HttpError(400, 'messages must be a non-empty array');
  let rendered = '';
  for (const m of messages as { role?: unknown; content?: unknown }[]) {
    if (!m || typeof m.content !== 'string' || !ROLES.includes(m.role as string))
      throw new HttpError(400, 'each message needs a role (system, user, assistant) and string content');
    rendered += `${m.role}: ${m.content}\n`;
  }
  return `${rendered}assistant:`;
}

export async function chat(
  c: EndpointContext,
  body: Record<string, unknown>,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const { tokenizer } = c;
  const prompt = c.promptIds(renderMessages(body.messages));
  const maxTokens = intField(body, 'max_tokens', 256, 1, c.maxTokens);
  const temperature = temperatureField(body);
  const head = { id: c.id('chatcmpl'), created: Math.floor(Date.now() / 1000), model: c.modelName };
  const events = body.stream === true ? openEventStream(res) : null;
  const delta = (d: Record<string, string>, finish: string | null) =>
    events?.send({
      ...head,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta: d, finish_reason: finish }],
    });
  delta({ role: 'assistant' }, null);
  const piece = createTextPieces(tokenizer);
  const out: number[] = [];
  let finish = 'length';
  const seed = typeof body.seed === 'number' ? body.seed : 0;
  for await (const s of generateSteps(c.adapter, tokenizer, {
    prompt,
    maxTokens,
    temperature,
    topLogprobs: 0,
    seed,
    signal,
  })) {
    if (s.token === tokenizer.eosId) {
      finish = 'stop';
      break;
    }
    out.push(s.token);
    if (events) {
      const text = piece.push(s.token);
      if (text) delta({ content: text }, null);
    }
  }
  if (events) {
    delta({}, finish);
    events.done();
    return;
  }
  json(res, 200, {
    ...head,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: tokenizer.decode(out) }, finish_reason: finish }],
    usage: { prompt_tokens: prompt.length, completion_tokens: out.length, total_tokens: prompt.length + out.length },
  });
}
