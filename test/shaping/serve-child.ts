/**
 * A child process for the SIGINT test: `abrkit serve` on its own, as bin/abrkit.js would run it (main.ts
 * may not register it yet). Usage: node --import tsx test/shaping/serve-child.ts serve <folder> --trace ...
 */
import { Command } from 'commander';
import { register } from '../../src/cli/commands/serve.js';

const program = new Command('abrkit');
register(program);
await program.parseAsync(process.argv.slice(2), { from: 'user' });
