// Types of load-source.js (plain JavaScript: it runs before TypeScript can be loaded).
export declare const BUILDS: string;
export declare function sourceKey(root?: string): string;
export declare function currentBuild(root?: string): string | null;
export declare const CHOSEN_BUILD_ENV: string;
export declare function chosenBuildValue(build: string | null, pid?: number): string;
export declare function chooseBuild(
  env?: Record<string, string | undefined>,
  root?: string,
  pids?: readonly number[],
): string | null;
export declare function loadSource(source: URL): Promise<Record<string, unknown>>;
export declare function buildServer(root?: string): Promise<{ dir: string; built: boolean }>;
