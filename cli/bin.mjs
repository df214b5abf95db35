#!/usr/bin/env node
// The `sanctions` command: runs the TypeScript entry point through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./sanctions.ts');
