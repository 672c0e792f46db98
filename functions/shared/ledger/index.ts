/**
 * The budget ledger: admission, settlement, the sweeper, usage totals and reports,
 * overrides and their audit. docs/budgets.md describes the design.
 */
export * from './tables.js';
export * from './errors.js';
export * from './reservation.js';
export * from './reserve.js';
export * from './settle.js';
export * from './sweeper.js';
export * from './totals.js';
export * from './usage.js';
export * from './report.js';
export * from './audit.js';
export * from './overrides.js';
export * from './admission-policy.js';
export type { TransactItems } from './transact.js';
export { readCounters, type CounterValues, type Counters } from './counters.js';
export * from './claim.js';
export { BUDGET_SK, MAX_OPEN_TURNS, budgetAttr, budgetKey, readBudgetItem, type OpenEntry } from './budget-item.js';
export * from './withdraw.js';
export * from './api-keys.js';
