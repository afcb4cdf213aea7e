/**
 * The `http/protobuf` encoding of OTLP: the JSON bodies {@link exportOtlp} builds, encoded with
 * the protocol's own message descriptors (`_otlp_proto.ts`) by `@bufbuild/protobuf`, and the
 * collector's protobuf answers decoded back to OTLP JSON. Loaded only when the protocol is
 * `http/protobuf`.
 *
 * @module
 */
import {
  createFileRegistry,
  type DescMessage,
  fromBinary,
  fromJson,
  type JsonValue,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { hexBytes } from "../core/hash.ts";
import { OTLP_DESCRIPTORS } from "./_otlp_proto.ts";

/** An OTLP signal. */
export type OtlpSignal = "logs" | "traces" | "metrics";

const SERVICE: Record<OtlpSignal, string> = {
  logs: "opentelemetry.proto.collector.logs.v1.ExportLogs",
  traces: "opentelemetry.proto.collector.trace.v1.ExportTrace",
  metrics: "opentelemetry.proto.collector.metrics.v1.ExportMetrics",
};

let registry: ReturnType<typeof createFileRegistry> | null = null;

function message(signal: OtlpSignal, kind: "ServiceRequest" | "ServiceResponse"): DescMessage {
  registry ??= createFileRegistry(
    fromBinary(
      FileDescriptorSetSchema,
      Uint8Array.from(atob(OTLP_DESCRIPTORS), (c) => c.charCodeAt(0)),
    ),
  );
  const desc = registry.getMessage(`${SERVICE[signal]}${kind}`);
  if (!desc) throw new Error(`OTLP descriptor ${SERVICE[signal]}${kind} is missing`);
  return desc;
}

// OTLP JSON writes trace and span ids in hex where the proto3 JSON mapping has base64.
const ID_FIELDS = new Set(["traceId", "spanId", "parentSpanId"]);

function hexToBase64(hex: string): string {
  return btoa(String.fromCharCode(...hexBytes(hex)));
}

function idsToBase64(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(idsToBase64);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = ID_FIELDS.has(k) && typeof v === "string" ? hexToBase64(v) : idsToBase64(v);
  }
  return out;
}

/** An OTLP JSON request body of `signal` as its protobuf encoding. */
export function encodeOtlpRequest(signal: OtlpSignal, body: unknown): Uint8Array<ArrayBuffer> {
  const desc = message(signal, "ServiceRequest");
  const bytes = toBinary(desc, fromJson(desc, idsToBase64(body) as JsonValue));
  return new Uint8Array(bytes); // (a copy over a plain ArrayBuffer, as fetch's body type asks)
}

/**
 * A collector's protobuf answer to a `signal` export as OTLP JSON (`partialSuccess` with its
 * counts as decimal strings); an empty answer is `{}`.
 */
export function decodeOtlpResponse(signal: OtlpSignal, bytes: Uint8Array): Record<string, unknown> {
  const desc = message(signal, "ServiceResponse");
  return toJson(desc, fromBinary(desc, bytes)) as Record<string, unknown>;
}
