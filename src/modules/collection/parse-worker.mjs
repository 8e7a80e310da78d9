// Bootstrap of a parse worker (thread or child process): parse-worker.ts, compiled or through tsx
// (bin/load-source.js).
import { loadSource } from '../../../bin/load-source.js';

await loadSource(new URL('./parse-worker.ts', import.meta.url));
