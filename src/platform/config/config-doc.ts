import { CONFIG_VARIABLES } from './load-config.js';

/** Renders docs/configuration.md's variable table from CONFIG_VARIABLES (kept in sync by a test). */
export function renderConfigTable(): string {
  return [
    '| variable | default | meaning |',
    '|---|---|---|',
    ...CONFIG_VARIABLES.map((v) => `| \`${v.name}\` | \`${v.default}\` | ${v.description} |`),
  ].join('\n');
}

/** Renders .env.example: every variable, commented out at its default. */
export function renderEnvExample(): string {
  return [
    '# OpenFapiao configuration. Every variable is optional; the values shown are the defaults.',
    '# Generated from src/platform/config/load-config.ts by `npm run docs:config`.',
    '',
    ...CONFIG_VARIABLES.flatMap((v) => [
      `# ${v.description.replace(/`/g, '')}`,
      `# ${v.name}=${v.default === '(unset)' ? '' : v.default}`,
      '',
    ]),
  ].join('\n');
}
