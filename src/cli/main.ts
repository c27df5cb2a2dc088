/**
 * The `guarantor` command: serve the app, import reports, and (as later issues add them)
 * administer, verify and audit. Every command validates its configuration before touching data.
 */
import { Command, Option } from 'commander';
import { ConfigError } from '../kernel/config/config.ts';
import { importCommand } from './import.ts';
import { serveCommand } from './serve.ts';

const program = new Command()
  .name('guarantor')
  .description('Ceasefire monitoring, verification and coalition coordination')
  .showHelpAfterError();

const storeOptions = (cmd: Command) =>
  cmd
    .option('--data <dir>', 'data directory for the embedded SQLite database (env GUARANTOR_DATA)')
    .option('--database-url <url>', 'PostgreSQL URL instead of the embedded database (env DATABASE_URL)');

storeOptions(
  program
    .command('serve')
    .description('serve the API and the web app')
    .option('--host <host>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env PORT, default 8080)')
    .addOption(
      new Option('--demo <mode>', 'load the demonstration scenario (env GUARANTOR_DEMO)').choices([
        'auto',
        'on',
        'off',
      ]),
    )
    .option('--build-web', 'build the web app first when it is missing or older than its sources'),
).action(serveCommand);

storeOptions(
  program
    .command('import')
    .description('import reports from an NDJSON, CSV or GeoJSON file (format from the extension)')
    .argument('<file>', 'the file to import')
    .option('--mapping <file>', 'column mapping file for a foreign layout')
    .option('--all-or-nothing', 'roll everything back if any row is rejected')
    .addOption(new Option('--format <format>', 'override the format').choices(['ndjson', 'csv', 'geojson']))
    .option('--url <url>', 'send to a running Guarantor at this URL instead of writing to the local database')
    .option('--json', 'print the summary as JSON'),
).action(importCommand);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
