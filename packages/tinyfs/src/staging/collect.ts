// Content that arrives in chunks, gathered into one buffer; and one buffer as a stream.

/** Every chunk of `source` in one new buffer. */
export async function collect(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (source instanceof ReadableStream) {
    // Not `for await`: browsers' ReadableStreams need not be async iterable.
    const reader = source.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      chunks.push(read.value);
      size += read.value.length;
    }
  } else {
    for await (const chunk of source) {
      chunks.push(chunk);
      size += chunk.length;
    }
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const content = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    content.set(chunk, offset);
    offset += chunk.length;
  }
  return content;
}

/** A stream of one buffer. */
export function streamOf(content: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(content);
      controller.close();
    },
  });
}
