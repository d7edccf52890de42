/** Reading a Server-Sent Events response (WHATWG HTML, "Server-sent events") event by event, as it arrives. */

/** One event: its `event` name, `id` (when sent) and `data`. */
export interface SseEvent {
  event?: string;
  id?: string;
  data: string;
}

/** Yields each event of the response body as soon as its blank-line terminator arrives; ends when the stream closes. */
export async function* sseEvents(res: Response): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: SseEvent = { data: '' };
      let hasData = false;
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue; // a comment or a bare field name
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') {
          event.data += (hasData ? '\n' : '') + value;
          hasData = true;
        } else if (field === 'event' || field === 'id') event[field] = value;
      }
      // A block without data (such as a lone `retry:`) dispatches no event (WHATWG HTML, "dispatch the event").
      if (hasData) yield event;
    }
  }
}
