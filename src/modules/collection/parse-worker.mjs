// Bootstrap of the parse worker thread: TypeScript runs through tsx (no build step), so register it first.
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
