/** Pure aggregations from API data to the report shapes the CLI prints and the views render. */
export * from './costs';
export * from './tokens';
export * from './claudeCode';
