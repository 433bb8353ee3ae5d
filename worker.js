// The fit worker: loads the page's WebAssembly module and runs one fit per
// message, posting progress as it goes.
import init, { worker_fit, worker_warm_up } from './pkg/frontier_web.js';

// Once loaded, a short fit makes the browser optimise the fit's functions
// before the first job (see worker_warm_up); jobs wait for it. It is only
// an optimisation: if it fails, the jobs still run.
const ready = init().then(() => {
  try {
    worker_warm_up();
  } catch (err) {
    console.warn('fit worker warm-up failed:', err);
  }
});

self.onmessage = async (event) => {
  try {
    await ready;
    const result = worker_fit(event.data, (done, total) => {
      self.postMessage({ type: 'progress', done, total });
    });
    self.postMessage({ type: 'done', result });
  } catch (err) {
    self.postMessage({ type: 'failed', message: String(err) });
  }
};
