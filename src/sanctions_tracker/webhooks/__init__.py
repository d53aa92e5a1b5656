"""Webhooks: subscriptions, the outbox written with every change, and the worker that sends."""
