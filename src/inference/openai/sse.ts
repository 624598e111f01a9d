/** Server-sent events: the `data:` payloads of a byte stream, one per event, across chunk boundaries. */
export async function* sseData(body: AsyncIterable<Uint8Array>, maxEventBytes = 1 << 20): AsyncGenerator<string> {
  const dec = new TextDecoder();
  let buf = '';
  for await (const chunk of body) {
    buf += dec.decode(chunk, { stream: true });
    if (buf.length > maxEventBytes) throw new Error(`an event exceeds ${maxEventBytes} bytes`);
    let cut: number;
    while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
      const event = buf.slice(0, cut);
      buf = buf.slice(buf.slice(cut).match(/^\r?\n\r?\n/)![0].length + cut);
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) yield data;
    }
  }
}
