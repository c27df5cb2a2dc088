import { pino } from 'pino';

/** pino escapes every value it writes as JSON, so user input cannot forge log lines. */
export function createLogger(level: string) {
  return pino({ level, base: { service: 'guarantor' }, timestamp: pino.stdTimeFunctions.isoTime });
}
