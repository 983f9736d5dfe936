/**
 * The Kubernetes operator: one sub-package per resource ({@code dataset}, {@code training}, {@code
 * eval}) with its reconciler, {@code status} for conditions and status bookkeeping, and {@code
 * runtime} for process-wide wiring (leader election, metrics, settings). Operator code meets the
 * workers only at file formats and pod contracts; it never imports trainer internals.
 */
package dev.speculators.operator;
