#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's CommonJS loader, so no build step is needed.
require('tsx/cjs');
require('../cli/sluice.ts');
