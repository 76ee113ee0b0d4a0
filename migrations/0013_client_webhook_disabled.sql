-- A receiver answering 410 Gone says "stop sending here" (Standard Webhooks): the client's webhook is
-- disabled, with when and why, until an operator sets its URL again (`chronos clients set-webhook`).
-- While disabled, new deliveries are recorded but not sent, so every event can still be redelivered.
alter table clients add column webhook_disabled_at timestamptz(3);
alter table clients add column webhook_disabled_reason text;
alter table clients add constraint clients_webhook_disabled_with_reason
  check ((webhook_disabled_at is null) = (webhook_disabled_reason is null));
