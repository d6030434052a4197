// The command's entry point is executable in the build itself: `npx streamlog` in a clone
// runs it straight from dist/ (npm sets the bit only for packages it installs).
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/esm/cli/main.js', import.meta.url), 0o755);
