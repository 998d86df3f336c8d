"""Outbound webhooks (docs/webhooks-outbound.md): subscriptions per tenant, deliveries
queued in the database in the transaction that made the event, signed the Standard
Webhooks way, sent by a worker with retries, exponential backoff and a dead-letter list."""
