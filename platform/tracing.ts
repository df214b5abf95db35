// Traces that follow a listing from the clerk's request through the Temporal
// client, the workflow and its activities, exported over OTLP/HTTP. Off
// unless a collector endpoint is configured.
import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { Settings } from './settings.js';

/**
 * Workflow-side interceptors: a RunWorkflow span around each run, a
 * StartActivity span around each activity it schedules (passing the context
 * on in the activity's headers). They add no commands, so a history replays
 * the same with or without them and tracing can be turned on and off between
 * deployments. A worker bundling its own workflow code includes them only with
 * tracing on: they cost about 45% more CPU per workflow task (replay of the
 * recorded histories: 7.5 s without, 11 s with).
 */
export const workflowTracingModules = [createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

export interface TracingSettings {
  /** Where spans are posted as OTLP/HTTP JSON, e.g. http://collector:4318/v1/traces */
  tracesUrl: string;
  serviceName: string;
}

/** The wiring each part needs; without a collector, interceptors are left out and workflow spans are dropped. */
export interface Tracing {
  /** For the Temporal client that starts workflows and sends updates. */
  clientInterceptors: ClientInterceptors;
  /** For the worker: a RunActivity span per activity attempt, child of the workflow's StartActivity. */
  activityInterceptors: ActivityInterceptorsFactory[];
  /** Bundled with the workflow code when the worker bundles it itself. */
  workflowModules: string[];
  /**
   * Workflow code hands its finished spans to the worker through this sink.
   * Registered with tracing off too, dropping the spans, for prebuilt bundles
   * that include the workflow interceptors anyway.
   */
  workflowSinks: InjectedSinks<OpenTelemetrySinks>;
  /** Exports what is buffered and unregisters the global provider. */
  shutdown(): Promise<void>;
}

/** Tracing as configured (OTEL_* variables), named after this process unless OTEL_SERVICE_NAME says otherwise; undefined when off. */
export function tracingSettingsFrom(configured: Settings['tracing'], defaultServiceName: string): TracingSettings | undefined {
  return configured ? { tracesUrl: configured.tracesUrl, serviceName: configured.serviceName ?? defaultServiceName } : undefined;
}

export const tracingOff: Tracing = {
  clientInterceptors: {},
  activityInterceptors: [],
  workflowModules: [],
  workflowSinks: { exporter: makeWorkflowExporter(new NoopSpanProcessor(), Resource.empty()) },
  shutdown: async () => {},
};

/**
 * Registers this process's tracer provider (AsyncLocalStorage context, W3C
 * trace-context propagation) and returns the Temporal wiring that uses it.
 * Once per process: the API and the worker of one process share it.
 */
export function startTracing(settings: TracingSettings | undefined): Tracing {
  if (!settings) return tracingOff;
  const resource = Resource.default().merge(new Resource({ [ATTR_SERVICE_NAME]: settings.serviceName }));
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.tracesUrl }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return {
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    activityInterceptors: [
      (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
    ],
    workflowModules: workflowTracingModules,
    workflowSinks: { exporter: makeWorkflowExporter(spanProcessor, resource) },
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
