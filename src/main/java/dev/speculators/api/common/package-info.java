/**
 * Types shared by the three resources: model sources, volumes, storage, engines and pod overrides.
 */
package dev.speculators.api.common;
