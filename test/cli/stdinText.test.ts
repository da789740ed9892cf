import { Readable } from 'node:stream';
import { textArgument } from '../../client/cli/stdinText';

describe('a question or message of `-`, read from stdin', () => {
  it('reads the whole input, in UTF-8, across chunks', async () => {
    const stdin = Readable.from([Buffer.from('Ünïcode '), Buffer.from('question?')]);
    await expect(textArgument('-', 'message', stdin)).resolves.toBe('Ünïcode question?');
  });

  it('refuses bytes that are not UTF-8 rather than change them, naming the line', async () => {
    const stdin = Readable.from([
      Buffer.from('first line\nna'),
      Buffer.from([0xef, 0xbb]),
      Buffer.from('ve\n'),
    ]);
    await expect(textArgument('-', 'message', stdin)).rejects.toThrow(
      'the message on stdin:2: not UTF-8 text (this line holds bytes that are not)',
    );
  });

  it("refuses an empty or blank stdin, rather than fall back on the config's question", async () => {
    await expect(textArgument('-', 'question', Readable.from([]))).rejects.toThrow(
      'the question on stdin is empty',
    );
    await expect(textArgument('-', 'message', Readable.from([Buffer.from(' \n\t')]))).rejects.toThrow(
      'the message on stdin is empty',
    );
  });

  it('leaves any other argument as it is, without reading stdin', async () => {
    const stdin = Readable.from([Buffer.from('unread')]);
    await expect(textArgument('Which one?', 'message', stdin)).resolves.toBe('Which one?');
    await expect(textArgument(undefined, 'question', stdin)).resolves.toBeUndefined();
    expect(stdin.readableEnded).toBe(false);
  });

  it('refuses an input longer than any message could be, before reading it all', async () => {
    let served = 0;
    const endless = new Readable({
      read() {
        served += 1;
        this.push(Buffer.alloc(64 * 1024, 'a'));
      },
    });
    await expect(textArgument('-', 'message', endless)).rejects.toThrow(
      'the message on stdin is over 782 KiB: a message may be 200000 characters',
    );
    expect(served).toBeLessThan(20);
  });
});
