/**
 * Turns the Powertools logs back on for one test file that reads them (test/support/setup-env.ts
 * silences them). Import it before any module that creates the logger: the logger reads
 * POWERTOOLS_LOG_LEVEL when it is created and returns to that level after each invocation.
 */
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
