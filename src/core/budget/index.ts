/**
 * Budgets and alerts (issue 14): settings and validation, each budget's status and projection, alert
 * events and their texts, the shared record of alerts fired, the alerter, and what each surface shows.
 * No vscode import.
 */
export * from './settings';
export * from './status';
export * from './alerts';
export * from './record';
export * from './alerter';
export * from './surfaces';
