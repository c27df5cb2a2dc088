/**
 * The `guarantor` command: serve the app, import reports, and (as later issues add them)
 * administer, verify and audit. Every command validates its configuration before touching data.
 */
import { Command, Option } from 'commander';
import { ConfigError } from '../kernel/config/config.ts';
import { adminCreateCommand } from './admin.ts';
import { auditCommand } from './audit.ts';
import { backupCommand } from './backup.ts';
import { importCommand } from './import.ts';
import { exportTilesCommand, ledgerVkeyCommand } from './ledger.ts';
import { restoreCommand } from './restore.ts';
import { serveCommand } from './serve.ts';
import { verifyCommand, verifyRecord } from './verify.ts';
import { witnessCommand, witnessVkeyCommand } from './witness.ts';

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
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate chain (env GUARANTOR_TLS_CERT)')
    .option('--tls-key <file>', 'and this PEM private key (env GUARANTOR_TLS_KEY)')
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
    .option('--token <token>', 'with --url: an API token allowed to import (default: GUARANTOR_TOKEN)')
    .option('--json', 'print the summary as JSON'),
).action(importCommand);

const verify = program
  .command('verify')
  .description('verify the ledger of a running Guarantor, or of a tiles directory, against its public key')
  .argument('<url-or-dir>', 'a Guarantor URL or a directory laid out like /ledger/')
  .option('--key <vkey>', "the log's verifier key, or a file holding it")
  .option('--state <file>', 'the last verified checkpoint: checked for consistency, then updated')
  .option('--full', 'download every entry and tile, rebuild the whole tree and compare')
  .action(async (target, flags) => void (await verifyCommand(target, flags)));
verify
  .command('record')
  .description("check one record's leaf against a signed checkpoint")
  .argument('<kind>', 'the record kind, such as report')
  .argument('<id>', 'the record id')
  .option('--url <url>', 'the Guarantor to ask')
  .option(
    '--token <token>',
    "a reader's API token, to check the record's content too (default: GUARANTOR_TOKEN)",
  )
  // --key and --state given after `record` are parsed by `verify`, hence the global options.
  .action(async (kind, id, _flags, cmd) => void (await verifyRecord(kind, id, cmd.optsWithGlobals())));

const ledgerCommand = program.command('ledger').description("the log operator's ledger commands");
storeOptions(
  ledgerCommand
    .command('export-tiles')
    .description('write the ledger as a C2SP tlog-tiles directory')
    .argument('<dir>', 'the directory to write'),
).action(exportTilesCommand);
ledgerCommand
  .command('vkey')
  .description("print the log's verifier key")
  .option('--data <dir>', 'data directory (env GUARANTOR_DATA)')
  .action(ledgerVkeyCommand);

storeOptions(
  program
    .command('audit')
    .description(
      'check the database against the ledger; names the first record or leaf changed outside Guarantor',
    )
    .option('--json', 'print the result as JSON'),
).action(async (flags) => void (await auditCommand(flags)));

const collectValues = (value: string, previous: string[]) => [...previous, value];
const witness = program
  .command('witness')
  .description(
    "run a member state's C2SP tlog-witness: cosigns checkpoints that extend what it last cosigned",
  )
  .option('--data <dir>', 'data directory for its key and state (env GUARANTOR_DATA)')
  .option('--key-file <file>', 'its cosignature key, created 0600 when absent (default <data>/witness-key)')
  .option('--name <name>', "the key's name when creating it, e.g. witness.fra.example")
  .option(
    '--log-vkey <vkey-or-file>',
    "a log's verifier key, or a file of them (repeatable)",
    collectValues,
    [],
  )
  .option('--listen <host:port>', 'address to listen on', '127.0.0.1:7380')
  .option('--state <file>', 'last cosigned checkpoint per log (default <data>/witness-state.json)')
  .option('--prefix <path>', 'submission prefix path, e.g. /witness')
  .action(async (flags) => void (await witnessCommand(flags)));
witness
  .command('vkey')
  .description("print the witness's verifier key (creating the key when --name is given)")
  .action((_flags, cmd) => void witnessVkeyCommand(cmd.optsWithGlobals()));

storeOptions(
  program
    .command('backup')
    .description('copy the database, evidence files and a manifest consistently while the server runs')
    .argument('<dest>', 'a new or empty folder to write')
    .option('--include-log-key', "also copy the log's private key (keep such a backup as secret as the key)")
    .option(
      '--include-secrets-key',
      'also copy the key that seals the TOTP secrets (keep such a backup as secret as the key)',
    )
    .option('--json', 'print the manifest as JSON'),
).action(async (dest, flags) => void (await backupCommand(dest, flags)));

storeOptions(
  program
    .command('restore')
    .description('restore a backup into an empty data directory or database, after verifying it')
    .argument('<src>', 'the backup folder')
    .option(
      '--key <vkey>',
      "the log's verifier key, or a file holding it (default: the one recorded in the backup)",
    )
    .option(
      '--witnesses <file>',
      "the member witnesses and quorum to verify against (default: <data>/witnesses.json, else the backup's copy)",
    )
    .option(
      '--accept-unwitnessed',
      'restore even though no checkpoint in the backup was cosigned by a quorum of the configured witnesses',
    )
    .option('--force', 'replace a target that already holds a database or evidence')
    .option('--json', 'print the summary as JSON'),
).action(async (src, flags) => void (await restoreCommand(src, flags)));

const admin = program.command('admin').description('administer accounts on the local database');
storeOptions(
  admin
    .command('create')
    .description('create an administrator account (the first one on a fresh data directory)')
    .requiredOption('--username <name>', 'username: 3 to 64 letters, digits, ".", "_", "@" or "-"')
    .requiredOption('--participant <code>', 'the participant the administrator belongs to, e.g. FRA')
    .option('--display-name <name>', 'the name shown in the app (default: the username)')
    .option(
      '--clearance <classification>',
      'the highest classification the administrator may read and give: PUBLIC, RESTRICTED, CONFIDENTIAL or SECRET',
      'CONFIDENTIAL',
    )
    .option(
      '--password-file <file>',
      'read the password from this file, or - for standard input (default: ask on the terminal)',
    ),
).action(async (flags) => void (await adminCreateCommand(flags)));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
