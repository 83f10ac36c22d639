/** A one-line progress bar on stderr (plain lines when stderr is not a terminal). */
export function progressBar(label, total) {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let lastPlain = 0;
  const format = (done) => {
    const fraction = total > 0 ? done / total : 1;
    const width = 30;
    const filled = Math.round(fraction * width);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (total - done) / rate : 0;
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${Math.round(rate).toLocaleString('en-US')}/s ETA ${Math.round(eta)}s`;
  };
  return {
    update(done) {
      if (tty) process.stderr.write(`\r${format(done)}`);
      else if (Date.now() - lastPlain > 5000 && done < total) {
        lastPlain = Date.now();
        process.stderr.write(`${format(done)}\n`);
      }
    },
    finish(done = total) {
      if (tty) process.stderr.write(`\r${format(done)}\n`);
      else process.stderr.write(`${format(done)}\n`);
    },
  };
}
