/**
 * Every property in the suite stops after 25 seconds, counted as a failure. Properties run
 * synchronously, so vitest's own timeout cannot interrupt them, and shrinking a failure through large
 * inputs can otherwise run for many minutes and stall the whole run instead of reporting.
 */
import fc from 'fast-check';

fc.configureGlobal({ interruptAfterTimeLimit: 25_000, markInterruptAsFailure: true });
