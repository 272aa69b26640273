/**
 * zod schemas for every Anthropic response this extension reads (shared/docs/anthropic-api.md), with the
 * conversion to the shapes in `types.ts`. Unknown fields are dropped; a missing or mistyped required field
 * fails validation and becomes an `invalidResponse` error naming the JSON path (`data[3].results[0].amount`).
 * Money: cost-report `amount` is a decimal STRING of cents, Claude Code `estimated_cost.amount` a NUMBER
 * of cents; both become exact USD `Decimal`s. Tokens are non-negative integers.
 */
import { z } from 'zod';
import { Decimal, centsToUsd } from '../decimal';
import { ApiError } from './errors';
import type {
  ApiKeyInfo,
  ClaudeCodeRecord,
  CostBucket,
  CostResult,
  Organization,
  OrgUser,
  UsageBucket,
  UsageResult,
  Workspace,
} from './types';

const count = z.number().int().nonnegative();
const optCount = count.optional().default(0);
const dim = z.string().nullable().optional().transform((v) => v ?? null);

/** A decimal string of cents, e.g. `"123.45"`; anything else is rejected. */
const centString = z.string().refine((s) => /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(s), {
  message: 'expected a decimal string of cents',
});

/** `2025-08-08T00:00:00Z` or `2025-08-08` → `2025-08-08` (UTC day). */
const utcDay = z.string().transform((s, ctx) => {
  const m = /^(\d{4}-\d{2}-\d{2})(T.*)?$/.exec(s);
  if (m && !m[2]) {
    if (!Number.isNaN(Date.parse(`${m[1]}T00:00:00Z`))) return m[1]!;
  } else if (m) {
    const t = Date.parse(s);
    if (!Number.isNaN(t)) return new Date(t).toISOString().slice(0, 10);
  }
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected a date (YYYY-MM-DD or RFC 3339)' });
  return z.NEVER;
});

const timestamp = z.string().min(1);

function page<T extends z.ZodTypeAny>(item: T) {
  return z.object({
    data: z.array(item),
    has_more: z.boolean(),
    next_page: z.string().nullable().optional().transform((v) => v ?? null),
  });
}

function bucket<T extends z.ZodTypeAny>(result: T) {
  return z.object({ starting_at: timestamp, ending_at: timestamp, results: z.array(result) });
}

// ---------- usage report ----------

const usageResult = z.object({
  uncached_input_tokens: count,
  cache_creation: z
    .object({ ephemeral_5m_input_tokens: optCount, ephemeral_1h_input_tokens: optCount })
    .optional()
    .default({}),
  cache_read_input_tokens: count,
  output_tokens: count,
  server_tool_use: z
    .object({ web_search_requests: optCount })
    .nullable()
    .optional()
    .transform((v) => v ?? { web_search_requests: 0 }),
  model: dim,
  api_key_id: dim,
  workspace_id: dim,
  service_tier: dim,
  context_window: dim,
  inference_geo: dim,
  account_id: dim,
  service_account_id: dim,
  speed: dim,
});

export const usagePageSchema = page(bucket(usageResult));
export type UsagePage = z.infer<typeof usagePageSchema>;

export function toUsageBuckets(p: UsagePage): UsageBucket[] {
  return p.data.map((b) => ({
    startingAt: b.starting_at,
    endingAt: b.ending_at,
    results: b.results.map(
      (r): UsageResult => ({
        uncachedInput: r.uncached_input_tokens,
        cacheWrite5m: r.cache_creation.ephemeral_5m_input_tokens,
        cacheWrite1h: r.cache_creation.ephemeral_1h_input_tokens,
        cacheRead: r.cache_read_input_tokens,
        output: r.output_tokens,
        webSearches: r.server_tool_use.web_search_requests,
        model: r.model,
        apiKeyId: r.api_key_id,
        workspaceId: r.workspace_id,
        serviceTier: r.service_tier,
        contextWindow: r.context_window,
        inferenceGeo: r.inference_geo,
        accountId: r.account_id,
        serviceAccountId: r.service_account_id,
        speed: r.speed,
      }),
    ),
  }));
}

// ---------- cost report ----------

const costResult = z.object({
  amount: centString,
  currency: z.string(),
  cost_type: dim,
  description: dim,
  model: dim,
  token_type: dim,
  service_tier: dim,
  context_window: dim,
  inference_geo: dim,
  workspace_id: dim,
});

export const costPageSchema = page(bucket(costResult));
export type CostPage = z.infer<typeof costPageSchema>;

export function toCostBuckets(p: CostPage): CostBucket[] {
  return p.data.map((b) => ({
    startingAt: b.starting_at,
    endingAt: b.ending_at,
    results: b.results.map(
      (r): CostResult => ({
        amountUsd: centsToUsd(Decimal.parse(r.amount)),
        amountCentsRaw: r.amount,
        currency: r.currency,
        costType: r.cost_type,
        description: r.description,
        model: r.model,
        tokenType: r.token_type,
        serviceTier: r.service_tier,
        contextWindow: r.context_window,
        inferenceGeo: r.inference_geo,
        workspaceId: r.workspace_id,
      }),
    ),
  }));
}

// ---------- Claude Code analytics ----------

const actor = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user_actor'), email_address: z.string() }),
  z.object({ type: z.literal('api_actor'), api_key_name: z.string() }),
]);

/** Cents as a JSON number (the contract) or, defensively, a decimal string. */
const centsNumber = z.union([z.number().finite(), centString]);

const claudeCodeRecord = z.object({
  date: utcDay,
  actor,
  organization_id: z.string().optional().default(''),
  customer_type: z.string().optional().default('api'),
  subscription_type: dim,
  terminal_type: z.string().optional().default('unknown'),
  is_remote: z.boolean().optional(),
  core_metrics: z.object({
    num_sessions: count,
    lines_of_code: z.object({ added: count, removed: count }),
    commits_by_claude_code: count,
    pull_requests_by_claude_code: count,
  }),
  tool_actions: z.record(z.string(), z.object({ accepted: count, rejected: count })).optional().default({}),
  model_breakdown: z
    .array(
      z.object({
        model: z.string(),
        tokens: z.object({ input: count, output: count, cache_read: count, cache_creation: count }),
        estimated_cost: z.object({ currency: z.string().optional(), amount: centsNumber }),
      }),
    )
    .optional()
    .default([]),
});

export const claudeCodePageSchema = page(claudeCodeRecord);
export type ClaudeCodePage = z.infer<typeof claudeCodePageSchema>;

export function toClaudeCodeRecords(p: ClaudeCodePage): ClaudeCodeRecord[] {
  return p.data.map((r) => ({
    date: r.date,
    actor:
      r.actor.type === 'user_actor'
        ? { type: 'user_actor', emailAddress: r.actor.email_address }
        : { type: 'api_actor', apiKeyName: r.actor.api_key_name },
    organizationId: r.organization_id,
    customerType: r.customer_type,
    subscriptionType: r.subscription_type,
    terminalType: r.terminal_type,
    ...(r.is_remote !== undefined ? { isRemote: r.is_remote } : {}),
    sessions: r.core_metrics.num_sessions,
    linesAdded: r.core_metrics.lines_of_code.added,
    linesRemoved: r.core_metrics.lines_of_code.removed,
    commits: r.core_metrics.commits_by_claude_code,
    pullRequests: r.core_metrics.pull_requests_by_claude_code,
    toolActions: Object.fromEntries(
      Object.entries(r.tool_actions).map(([k, v]) => [k, { accepted: v.accepted, rejected: v.rejected }]),
    ),
    modelBreakdown: r.model_breakdown.map((m) => ({
      model: m.model,
      tokens: {
        input: m.tokens.input,
        output: m.tokens.output,
        cacheRead: m.tokens.cache_read,
        cacheCreation: m.tokens.cache_creation,
      },
      estimatedCostUsd: centsToUsd(
        typeof m.estimated_cost.amount === 'number'
          ? Decimal.fromNumber(m.estimated_cost.amount)
          : Decimal.parse(m.estimated_cost.amount),
      ),
    })),
  }));
}

// ---------- labels ----------

export function listSchema<T extends z.ZodTypeAny>(item: T) {
  return z.object({
    data: z.array(item),
    has_more: z.boolean().optional().default(false),
    first_id: z.string().nullable().optional(),
    last_id: z.string().nullable().optional(),
  });
}

export const organizationSchema = z
  .object({ id: z.string(), name: z.string() })
  .transform((o): Organization => ({ id: o.id, name: o.name }));

export const workspaceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    display_color: z.string().nullable().optional(),
    archived_at: z.string().nullable().optional(),
  })
  .transform(
    (w): Workspace => ({
      id: w.id,
      name: w.name,
      ...(w.display_color ? { displayColor: w.display_color } : {}),
      archivedAt: w.archived_at ?? null,
    }),
  );

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    partial_key_hint: z.string().nullable().optional(),
    status: z.string().nullable().optional(),
    workspace_id: z.string().nullable().optional(),
  })
  .transform(
    (k): ApiKeyInfo => ({
      id: k.id,
      name: k.name,
      ...(k.partial_key_hint ? { partialKeyHint: k.partial_key_hint } : {}),
      ...(k.status ? { status: k.status } : {}),
      workspaceId: k.workspace_id ?? null,
    }),
  );

export const userSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string(), role: z.string().nullable().optional() })
  .transform((u): OrgUser => ({ id: u.id, email: u.email, name: u.name, ...(u.role ? { role: u.role } : {}) }));

// ---------- messages (rate-limit probe) ----------

/** Every Messages response carries `usage`; without it the body is not a Messages response. */
export const messagesBodySchema = z.object({
  usage: z.object({ input_tokens: count, output_tokens: count }),
});

// ---------- validation ----------

/** `['data', 3, 'results', 0, 'amount']` → `data[3].results[0].amount`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${p}` : p;
  }
  return out || '(root)';
}

/** Validates `json` or throws `invalidResponse` naming the first failing path. */
export function validate<T extends z.ZodTypeAny>(
  schema: T,
  json: unknown,
  context: { endpoint: string; requestId?: string; status?: number },
): z.output<T> {
  const r = schema.safeParse(json);
  if (r.success) return r.data as z.output<T>;
  const issue = r.error.issues[0];
  const path = formatPath(issue?.path ?? []);
  const why = issue ? issue.message.replace(/[.\s]+$/, '') : 'unexpected shape';
  throw new ApiError({
    kind: 'invalidResponse',
    message: `Anthropic sent a response this extension cannot read (${context.endpoint}, at ${path}: ${why}); the API may have changed, so update the extension or report it.`,
    path,
    endpoint: context.endpoint,
    requestId: context.requestId,
    status: context.status,
  });
}
