/** The budget item's documented size bound (docs/budgets.md, "Item size"), and the measure. */
export { itemSizeInBytes } from '../../functions/shared/ledger/item-size.js';

/** 0.5 KB of totals, rate window and bookkeeping, plus 200 bytes per open turn (its entry and at most one rate-window minute) at the 32-turn cap. */
export const BUDGET_ITEM_BOUND_IN_BYTES = 512 + 32 * 200;
