// Generated from GET /openapi.json by `npm run cli:types` (cli/codegen/generate.ts). Do not edit.

export interface paths {
  '/admin/gc': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Removes the platform's leftovers now: exited run containers, failed builds' layers and unused run volumes (dev mode), dangling and old build images no app or recent run uses (admins) */
    post: operations['collectGarbage'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/alerts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Your alert rules, newest first (admins: all) */
    get: operations['listAlerts'];
    put?: never;
    /**
     * Create an alert rule: conditions on an app, a schedule, or all your apps, sent to a webhook (Standard Webhooks)
     * @description The response carries the `whsec_` signing secret, the only time it is shown (POST /alerts/{alertId}/secret makes a new one).
     */
    post: operations['createAlert'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/alerts/{alertId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One alert rule (never its secret) */
    get: operations['getAlert'];
    put?: never;
    post?: never;
    /** Delete an alert rule (its pending deliveries are not sent) */
    delete: operations['deleteAlert'];
    options?: never;
    head?: never;
    /** Change an alert rule: its conditions, webhook, mute (mutedUntil; null unmutes) or enabled */
    patch: operations['updateAlert'];
    trace?: never;
  };
  '/alerts/{alertId}/deliveries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The rule's delivery log, newest first: each alert with its attempts (status code, error, time) */
    get: operations['listAlertDeliveries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/alerts/{alertId}/deliveries/{deliveryId}/redeliver': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Send one delivery again now, with the same webhook-id (within the 7-day replay window) */
    post: operations['redeliverAlert'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/alerts/{alertId}/secret': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Make a new signing secret for the rule, returned this once; the old one stops signing at once */
    post: operations['rotateAlertSecret'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/alerts/{alertId}/test': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Send a TEST alert through the rule now and return its delivery (retried as any alert when it fails) */
    post: operations['testAlert'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/apps': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Your apps (admins: all) */
    get: operations['listApps'];
    put?: never;
    /** Register an app */
    post: operations['createApp'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/apps/{appId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One app (ETag = its version) */
    get: operations['getApp'];
    put?: never;
    post?: never;
    /** Delete an app and its schedules; its runs stay in the history */
    delete: operations['deleteApp'];
    options?: never;
    head?: never;
    /** Change an app: a new version. Send If-Match (its ETag) or `version` to refuse a stale change */
    patch: operations['updateApp'];
    trace?: never;
  };
  '/apps/{appId}/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A metric's series across the app's runs, oldest first: [{time, runId, value}], paged */
    get: operations['getMetrics'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/apps/{appId}/runs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Start a run of the app. 202 with the run as it stands once launched (PENDING, or further along); FAILED when the launch failed */
    post: operations['createRun'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/apps/{appId}/schedules': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The app's schedules */
    get: operations['listAppSchedules'];
    put?: never;
    /** Run the app on a cron or rate schedule (EventBridge syntax, UTC) */
    post: operations['createSchedule'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/apps/{appId}/versions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every version: who changed what, when */
    get: operations['listAppVersions'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/apps/{appId}/versions/{version}/diff': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** What a version changed: who, when, which fields, and a unified diff of the script's lines */
    get: operations['diffAppVersions'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/auth/login': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Sign in; returns an access and a refresh token */
    post: operations['login'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/auth/me': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The signed-in account */
    get: operations['me'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/auth/refresh': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Trade a refresh token (once) for a new pair */
    post: operations['refresh'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/auth/register': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Create an account (if the deployment lets you: it may close registration, or restrict it to e-mail domains or invitations) */
    post: operations['register'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/costs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Finished runs' costs summed per app, schedule or owner, per UTC day or month (the caller's runs; admins: everyone's)
     * @description Each run is costed as GET /runs/{runId} shows it: Fargate vCPU-hours and GB-hours at the deployment's price plus the platform's share. Runs are placed by their creation time; a range of more than 20,000 runs is refused (400): narrow from and to.
     */
    get: operations['getCosts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Whether the store and the container runtime answer */
    get: operations['health'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/images': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Your images (admins: all) */
    get: operations['listImages'];
    put?: never;
    /** Create an image from a files map (JSON), or from a tar / tar.gz build context (metadata in the query) */
    post: operations['createImage'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/images/{imageId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One image (ETag = its version) */
    get: operations['getImage'];
    put?: never;
    post?: never;
    /** Delete an image, its builds' images, its contexts and build logs; refused while an app names it */
    delete: operations['deleteImage'];
    options?: never;
    head?: never;
    /** Change an image: a new version. files, dockerfile and buildArgs only while no build is QUEUED or BUILDING */
    patch: operations['updateImage'];
    trace?: never;
  };
  '/images/{imageId}/builds': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Builds of the image, newest first */
    get: operations['listBuilds'];
    put?: never;
    /** Build the image's current version: QUEUED → BUILDING → BUILT | FAILED */
    post: operations['startBuild'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/images/{imageId}/builds/{number}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One build, with its scan once scanned */
    get: operations['getBuild'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/images/{imageId}/builds/{number}/logs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Build log lines from a cursor; with Accept: text/event-stream, follows until the build ends
     * @description SSE events: `log` (data: one log event, id: the cursor after it) and `end` when the build is over. Reconnect with Last-Event-ID to resume.
     */
    get: operations['getBuildLogs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/images/{imageId}/files/{path}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One file of the image's current version (its path may hold slashes) */
    get: operations['getImageFile'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/images/{imageId}/versions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every version: who changed what (fields, files), when */
    get: operations['listImageVersions'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Runs, newest first (filters: appId, status, from, to) */
    get: operations['listRuns'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{runId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One run
     * @description With the last result the job posted (`result`). The values of the secrets the run received (`secretVersions`) are masked in it as in its logs: every string value and every key holding one has it replaced by `***` (a key that then clashes with another gets ` (2)`, ` (3)`, …), and a number whose digits hold one becomes the string `***` (and is no metric). Values shorter than 4 characters are not masked.
     */
    get: operations['getRun'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{runId}/children': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * An array job's children that have been created, by index (a retry follows its index: `<runId>-<index>-<attempt>`)
     * @description Children not yet created wait PENDING (the parent's arrayProperties.nextIndex says how many exist). A child is a run: GET /runs/{childRunId} and /runs/{childRunId}/logs read it, its id being `<runId>-<index>` with the index zero-padded to 4 digits.
     */
    get: operations['listRunChildren'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{runId}/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every accepted status transition */
    get: operations['getRunHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{runId}/kill': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * SIGKILL now; the run ends STOPPED
     * @description Dev mode (Docker) does exactly this. In the cloud (ECS Fargate) ECS sends SIGTERM and SIGKILLs after the task definition's stopTimeout, which the platform sets to 10 s: ECS has no per-call grace and no immediate SIGKILL, so on Fargate graceSeconds is not applied and stop and kill both give the job 10 s after SIGTERM.
     */
    post: operations['killRun'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{runId}/logs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Log lines from a cursor; with Accept: text/event-stream, follows until the run ends
     * @description SSE events: `log` (data: one log event; its id is the cursor after it) and `end` when the run is over. Each response is bounded (about 1 MiB, and in time) and opens with a short `retry:`; reconnect with Last-Event-ID to resume: nothing is lost or repeated. In the cloud the API Gateway endpoint answers with what is there now and a `Link: <…>; rel="alternate"` header naming the live endpoint (a Lambda function URL with response streaming, the `LogFollowUrl` stack output) that streams lines as they come, with the same token.
     */
    get: operations['getRunLogs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{runId}/replay': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Start a new run with exactly what this one ran: its image digest (not the tag), command or script, env and sidecars (replayOf says which run)
     * @description A 409 when the run never started (nothing ran); a 410 when it recorded no image digest or its image is gone (dev mode: no local image has that digest any more). A 402 over the owner's monthly budget, a 429 over the run quota, as a new run.
     */
    post: operations['replayRun'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{runId}/result': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * A job's result: a JSON object (≤ 64 KiB); its numeric top-level fields are metrics. Bearer: the run token (CONTAINERIZER_RUN_TOKEN)
     * @description A job may post more than once; every post is kept in order and the run shows the last one. The token works for its own run only, while the run is active. The values of the run's secrets are masked before the result is stored (`***`, as GET /runs/{runId} describes), so metrics are taken from the masked object. A run posts at most RESULT_POSTS_PER_RUN results (409 past it), RESULT_POSTS_PER_MINUTE a minute (429 with Retry-After), METRICS_PER_RESULT metrics each; the object nests at most 31 levels, its numbers are 0 or between 1e-130 and 2^53-1 in magnitude, and no key is __proto__, constructor or prototype (400 naming the field). Dev mode also sets CONTAINERIZER_RESULT_FILE: a job without network may write the object there, and it is read when the container stops. On ECS Fargate that variable is not set (a stopped task's files cannot be read): a job posts here.
     */
    post: operations['postResult'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{runId}/stop': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * SIGTERM, then SIGKILL after graceSeconds (default 10); the run ends STOPPED
     * @description Dev mode (Docker) does exactly this. In the cloud (ECS Fargate) ECS sends SIGTERM and SIGKILLs after the task definition's stopTimeout, which the platform sets to 10 s: ECS has no per-call grace and no immediate SIGKILL, so on Fargate graceSeconds is not applied and stop and kill both give the job 10 s after SIGTERM.
     */
    post: operations['stopRun'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/schedules': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Your schedules (admins: all) */
    get: operations['listSchedules'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/schedules/{scheduleId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One schedule */
    get: operations['getSchedule'];
    put?: never;
    post?: never;
    /** Delete a schedule */
    delete: operations['deleteSchedule'];
    options?: never;
    head?: never;
    /** Change a schedule (enabled: false suspends it) */
    patch: operations['updateSchedule'];
    trace?: never;
  };
  '/schedules/{scheduleId}/fires': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The ledger: what happened at each slot (STARTED, REPLACED, SKIPPED, LAUNCH_FAILED, MISSED), newest first */
    get: operations['listFires'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/schedules/{scheduleId}/next': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The next fire times (UTC), and each slot in the schedule's time zone with the slots daylight saving skips */
    get: operations['nextFires'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/schedules/preview': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Check an expression in a time zone and list its next slots without saving anything, as GET /schedules/{id}/next does (a rate counts from now, as a schedule created now would) */
    post: operations['previewSchedule'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/secrets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Your secrets by name: names, versions and times, never values */
    get: operations['listSecrets'];
    put?: never;
    /** Keep a secret value under a name (version 1); the value is never returned */
    post: operations['createSecret'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/secrets/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One secret's metadata (never its value) */
    get: operations['getSecret'];
    /** A new value: the secret's next version (runs created before keep the version they received) */
    put: operations['updateSecret'];
    post?: never;
    /** Delete a secret and every version of it; refused (409, naming them) while apps reference it */
    delete: operations['deleteSecret'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Alert: {
      alertId: string;
      appId?: string;
      conditions: components['schemas']['AlertCondition'][];
      createdAt: string;
      enabled: boolean;
      mutedUntil?: string;
      name?: string;
      ownerId: string;
      scheduleId?: string;
      updatedAt: string;
      webhook: {
        /** @enum {string} */
        format: 'standard' | 'slack';
        url: string;
      };
    };
    AlertCondition:
      | {
          /** @enum {string} */
          type: 'RUN_FAILED';
        }
      | {
          /** @enum {string} */
          type: 'RUN_TIMED_OUT';
        }
      | {
          /** @enum {string} */
          type: 'LAUNCH_FAILED';
        }
      | {
          /** @default 3 */
          count: number;
          /** @enum {string} */
          type: 'FAILURE_STREAK';
        }
      | {
          /** @default 300 */
          graceSeconds: number;
          /** @enum {string} */
          type: 'MISSED_SLOT';
        }
      | {
          /** @default 2 */
          factor: number;
          /** @enum {string} */
          type: 'LONG_RUN';
        }
      | {
          /** @enum {string} */
          type: 'BUDGET';
        };
    AlertCreate: {
      /** @description watch this app's runs */
      appId?: string;
      conditions: components['schemas']['AlertCondition'][];
      /** @default true */
      enabled: boolean;
      /**
       * Format: date-time
       * @description until then alerts are logged as MUTED, not sent
       */
      mutedUntil?: string;
      name?: string;
      /** @description watch this schedule's slots and runs */
      scheduleId?: string;
      webhook: components['schemas']['WebhookTarget'];
    };
    AlertDelivery: {
      alertId: string;
      attempts: components['schemas']['DeliveryAttempt'][];
      createdAt: string;
      /** @description the Standard Webhooks `webhook-id`, the same on every attempt */
      deliveryId: string;
      event: components['schemas']['AlertEvent'];
      nextAttemptAt?: string;
      /** @enum {string} */
      status: 'PENDING' | 'DELIVERED' | 'FAILED' | 'MUTED';
      updatedAt: string;
    };
    AlertEvent: {
      alertId: string;
      appId?: string;
      appName?: string;
      /** @description an array job's parent: its size and its children's ended counts per status. An array alerts once, by its parent; its children raise no run alerts of their own */
      arrayProperties?: {
        size: number;
        statusSummary: {
          FAILED: number;
          STOPPED: number;
          SUCCEEDED: number;
          TIMED_OUT: number;
        };
      };
      at: string;
      durationMs?: number;
      failures?: number;
      p95DurationMs?: number;
      reason?: string;
      runId?: string;
      scheduledTime?: string;
      scheduleId?: string;
      status?: string;
      summary: string;
      /** @enum {string} */
      type: 'RUN_FAILED' | 'RUN_TIMED_OUT' | 'LAUNCH_FAILED' | 'FAILURE_STREAK' | 'MISSED_SLOT' | 'LONG_RUN' | 'BUDGET' | 'FAILURE_STREAK_RECOVERED' | 'TEST';
    };
    AlertPatch: {
      conditions?: components['schemas']['AlertCondition'][];
      enabled?: boolean;
      /**
       * Format: date-time
       * @description null unmutes
       */
      mutedUntil?: string | null;
      name?: string;
      webhook?: components['schemas']['WebhookTarget'];
    };
    AlertWithSecret: components['schemas']['Alert'] & {
      /** @description the `whsec_…` signing secret (Standard Webhooks); returned once, never again */
      webhookSecret: string;
    };
    App: {
      appId: string;
      /**
       * @description the CPU architecture the task needs on Fargate (runtimePlatform.cpuArchitecture). Unset: built images run on the deployment's build architecture (ARM64), other images on X86_64. Dev mode records it and runs the image as Docker does.
       * @enum {string}
       */
      architecture?: 'ARM64' | 'X86_64';
      /**
       * @description at most 256 arguments, together at most 65536 bytes (UTF-8)
       * @example [
       *       "sh",
       *       "-c",
       *       "echo hello"
       *     ]
       */
      command: string[];
      /**
       * @description vCPU
       * @enum {number}
       */
      cpu: 0.25 | 0.5 | 1 | 2 | 4 | 8 | 16;
      createdAt: string;
      /** @description the main container's start order (ECS dependsOn) */
      dependsOn?: components['schemas']['ContainerDependency'][];
      description?: string;
      /**
       * @description names and values together at most 131072 bytes (UTF-8)
       * @example {
       *       "GREETING": "hello"
       *     }
       */
      env: {
        [key: string]: string;
      };
      healthCheck?: components['schemas']['HealthCheck'];
      image: string | components['schemas']['BuiltImageRef'];
      /** @description USD of Fargate time after which a run is stopped (TIMED_OUT, saying so): a timeout of maxCostPerRun / its price per second */
      maxCostPerRun?: number;
      /** @description MiB; must be valid for the cpu (Fargate's task sizes) */
      memoryMiB: number;
      name: string;
      ownerId: string;
      /** @description absent on apps made before it existed: 30 */
      retentionDays?: number;
      retry: {
        /** @description attempts in total; 1 = no retry (as AWS Batch) */
        maxAttempts: number;
        /** @description retry only when the exit code is one of these */
        onExitCodes?: number[];
      };
      script?: components['schemas']['Script'];
      /**
       * @description env name → the name of one of your secrets; the main container gets the secret's value as that variable
       * @example {
       *       "DB_PASSWORD": "db-pass"
       *     }
       */
      secrets?: {
        [key: string]: string;
      };
      /** @description containers beside the main one, in one task: they share its network (localhost) */
      sidecars?: components['schemas']['Sidecar'][];
      /** @description s; the run is stopped (TIMED_OUT) after this long */
      timeoutSeconds: number;
      updatedAt: string;
      updatedBy: string;
      version: number;
    };
    AppCreate: {
      /**
       * @description the CPU architecture the task needs on Fargate (runtimePlatform.cpuArchitecture). Unset: built images run on the deployment's build architecture (ARM64), other images on X86_64. Dev mode records it and runs the image as Docker does.
       * @enum {string}
       */
      architecture?: 'ARM64' | 'X86_64';
      /**
       * @description at most 256 arguments, together at most 65536 bytes (UTF-8)
       * @default []
       * @example [
       *       "sh",
       *       "-c",
       *       "echo hello"
       *     ]
       */
      command: string[];
      /**
       * @description vCPU
       * @default 0.25
       * @enum {number}
       */
      cpu: 0.25 | 0.5 | 1 | 2 | 4 | 8 | 16;
      /** @description the main container's start order (ECS dependsOn) */
      dependsOn?: components['schemas']['ContainerDependency'][];
      description?: string;
      /**
       * @description names and values together at most 131072 bytes (UTF-8)
       * @default {}
       * @example {
       *       "GREETING": "hello"
       *     }
       */
      env: {
        [key: string]: string;
      };
      healthCheck?: components['schemas']['HealthCheck'];
      image: string | components['schemas']['BuiltImageRef'];
      /** @description USD of Fargate time after which a run is stopped (TIMED_OUT, saying so): a timeout of maxCostPerRun / its price per second */
      maxCostPerRun?: number;
      /**
       * @description MiB; must be valid for the cpu (Fargate's task sizes)
       * @default 512
       */
      memoryMiB: number;
      name: string;
      /** @description days a finished run, its history, results and logs are kept (default 30); 0 keeps them forever */
      retentionDays?: number;
      /**
       * @default {
       *       "maxAttempts": 1
       *     }
       */
      retry: {
        /** @description attempts in total; 1 = no retry (as AWS Batch) */
        maxAttempts: number;
        /** @description retry only when the exit code is one of these */
        onExitCodes?: number[];
      };
      script?: components['schemas']['Script'];
      /**
       * @description env name → the name of one of your secrets; the main container gets the secret's value as that variable
       * @example {
       *       "DB_PASSWORD": "db-pass"
       *     }
       */
      secrets?: {
        [key: string]: string;
      };
      /** @description containers beside the main one, in one task: they share its network (localhost) */
      sidecars?: components['schemas']['Sidecar'][];
      /**
       * @description s; the run is stopped (TIMED_OUT) after this long
       * @default 3600
       */
      timeoutSeconds: number;
    };
    AppPatch: {
      /**
       * @description the CPU architecture the task needs on Fargate (runtimePlatform.cpuArchitecture). Unset: built images run on the deployment's build architecture (ARM64), other images on X86_64. Dev mode records it and runs the image as Docker does.
       * @enum {string}
       */
      architecture?: 'ARM64' | 'X86_64';
      /**
       * @description at most 256 arguments, together at most 65536 bytes (UTF-8)
       * @example [
       *       "sh",
       *       "-c",
       *       "echo hello"
       *     ]
       */
      command?: string[];
      /**
       * @description vCPU
       * @enum {number}
       */
      cpu?: 0.25 | 0.5 | 1 | 2 | 4 | 8 | 16;
      /** @description the main container's start order (ECS dependsOn) */
      dependsOn?: components['schemas']['ContainerDependency'][];
      description?: string;
      /**
       * @description names and values together at most 131072 bytes (UTF-8)
       * @example {
       *       "GREETING": "hello"
       *     }
       */
      env?: {
        [key: string]: string;
      };
      healthCheck?: components['schemas']['HealthCheck'];
      image?: string | components['schemas']['BuiltImageRef'];
      /** @description USD of Fargate time after which a run is stopped (TIMED_OUT, saying so): a timeout of maxCostPerRun / its price per second */
      maxCostPerRun?: number;
      /** @description MiB; must be valid for the cpu (Fargate's task sizes) */
      memoryMiB?: number;
      name?: string;
      /** @description days a finished run, its history, results and logs are kept (default 30); 0 keeps them forever */
      retentionDays?: number;
      retry?: {
        /** @description attempts in total; 1 = no retry (as AWS Batch) */
        maxAttempts: number;
        /** @description retry only when the exit code is one of these */
        onExitCodes?: number[];
      };
      script?: components['schemas']['Script'] & (Record<string, never> | null);
      /**
       * @description env name → the name of one of your secrets; the main container gets the secret's value as that variable
       * @example {
       *       "DB_PASSWORD": "db-pass"
       *     }
       */
      secrets?: {
        [key: string]: string;
      };
      /** @description containers beside the main one, in one task: they share its network (localhost) */
      sidecars?: components['schemas']['Sidecar'][];
      /** @description s; the run is stopped (TIMED_OUT) after this long */
      timeoutSeconds?: number;
      /** @description the version this change is based on (or send If-Match) */
      version?: number;
    };
    AppVersion: components['schemas']['App'] & {
      changedFields: string[];
    };
    ArrayProperties: {
      /** @description a child's index, 0…size-1 */
      index?: number;
      /** @description a parent's: children below this index have been created (the others wait PENDING, not yet materialised) */
      nextIndex?: number;
      /** @description a parent's: children active at once, at most */
      parallelism?: number;
      size: number;
      /** @description a parent's: its children that have ended, per status */
      statusSummary?: {
        FAILED: number;
        STOPPED: number;
        SUCCEEDED: number;
        TIMED_OUT: number;
      };
    };
    Build: {
      /** @description CodeBuild build id, or the Docker tag */
      buildRef?: string;
      createdAt: string;
      /** @description on BUILT: sha256 digest (dev mode: the Docker image id) */
      digest?: string;
      /** @description ms from startedAt to finishedAt */
      durationMs?: number;
      finishedAt?: string;
      imageId: string;
      /** @description on BUILT: the immutable per-build image reference runs use */
      imageRef?: string;
      /** @description the image version built */
      imageVersion: number;
      number: number;
      ownerId: string;
      /** @description on FAILED: why */
      reason?: string;
      scan?: components['schemas']['ScanResult'];
      startedAt?: string;
      /** @enum {string} */
      status: 'QUEUED' | 'BUILDING' | 'BUILT' | 'FAILED';
    };
    BuiltImageRef: {
      /** @description default: the latest BUILT build */
      build?: number;
      imageId: string;
    };
    CatchUp: {
      /** @description latest and all: a missed slot older than this is only recorded (default 1440) */
      maxAgeMinutes?: number;
      /** @description with all: at most this many missed slots run (default 10) */
      maxCount?: number;
      /**
       * @description none: record missed slots MISSED; latest: run the most recent once; all: run up to maxCount
       * @enum {string}
       */
      policy: 'none' | 'latest' | 'all';
    };
    /** @description start after containerName has STARTed, COMPLETEd, exited with SUCCESS or become HEALTHY */
    ContainerDependency: {
      /** @enum {string} */
      condition: 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY';
      containerName: string;
    };
    ContainerState: {
      exitCode?: number;
      /** @enum {string} */
      healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
      /** @enum {string} */
      lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
      name: string;
      reason?: string;
    };
    CostReport: {
      estimate: boolean;
      from: string;
      /** @enum {string} */
      groupBy: 'app' | 'schedule' | 'owner';
      lines: {
        fargateUsd: number;
        gbHours: number;
        key: string;
        period: string;
        platformUsd: number;
        runs: number;
        totalUsd: number;
        vcpuHours: number;
      }[];
      /** @description the owner's monthly budget (MONTHLY_BUDGET_USD), when set */
      monthlyBudgetUsd?: number;
      /** @enum {string} */
      period: 'day' | 'month';
      priceSource: string;
      to: string;
      totalUsd: number;
    };
    Credentials: {
      /** Format: email */
      email: string;
      password: string;
    };
    DeliveryAttempt: {
      at: string;
      attempt: number;
      durationMs: number;
      error?: string;
      redelivery?: boolean;
      statusCode?: number;
    };
    GcReport: {
      bytesFreed: number;
      removed: {
        /** @description bytes the object held alone */
        bytes: number;
        id: string;
        /** @enum {string} */
        kind: 'container' | 'image' | 'volume';
        /** @example old build */
        reason: string;
      }[];
    };
    HealthCheck: {
      /**
       * @example [
       *       "CMD-SHELL",
       *       "wget -q -O /dev/null http://localhost:8080/ || exit 1"
       *     ]
       */
      command: string[];
      /** @default 30 */
      intervalSeconds: number;
      /** @default 3 */
      retries: number;
      /** @default 0 */
      startPeriodSeconds: number;
      /** @default 5 */
      timeoutSeconds: number;
    };
    Image: {
      /** @description the build QUEUED or BUILDING, if any */
      activeBuild?: number;
      /** @description when activeBuild was started */
      activeSince?: string;
      buildArgs: {
        [key: string]: string;
      };
      /** @description builds started so far; the next is number buildCount + 1 */
      buildCount: number;
      /** @description the version whose build context holds the files: the last one that changed them */
      contextVersion: number;
      createdAt: string;
      /** @description set while the image is being deleted: no new builds or apps */
      deletingSince?: string;
      description?: string;
      /** @description path → SHA-256 (hex) of its type, mode and content */
      files: {
        [key: string]: string;
      };
      imageId: string;
      name: string;
      ownerId: string;
      updatedAt: string;
      updatedBy: string;
      version: number;
    };
    ImageCreate: {
      /**
       * @description Docker build arguments (ARG): at most 64, names and values together at most 16384 bytes (UTF-8)
       * @default {}
       */
      buildArgs: {
        [key: string]: string;
      };
      description?: string;
      /** @description the Dockerfile, if not given as files.Dockerfile */
      dockerfile?: string;
      /**
       * @description relative path → content (at most 1000 files)
       * @example {
       *       "Dockerfile": "FROM containerizer/busybox:latest"
       *     }
       */
      files: {
        [key: string]:
          | string
          | {
              base64: string;
              executable?: boolean;
            };
      };
      name: string;
    };
    ImagePatch: {
      /** @description Docker build arguments (ARG): at most 64, names and values together at most 16384 bytes (UTF-8) */
      buildArgs?: {
        [key: string]: string;
      };
      description?: string;
      dockerfile?: string;
      /** @description merged over the current files (RFC 7396): a path set to null is removed */
      files?: {
        [key: string]:
          | string
          | {
              base64: string;
              executable?: boolean;
            }
          | null;
      };
      name?: string;
      /** @description the version this change is based on (or send If-Match) */
      version?: number;
    };
    ImageVersion: {
      buildArgs: {
        [key: string]: string;
      };
      changedFields: ('name' | 'description' | 'files' | 'buildArgs')[];
      changedFiles: {
        added: string[];
        modified: string[];
        removed: string[];
      };
      /** @description the version whose build context holds the files: the last one that changed them */
      contextVersion: number;
      createdAt: string;
      description?: string;
      /** @description path → SHA-256 (hex) of its type, mode and content */
      files: {
        [key: string]: string;
      };
      imageId: string;
      name: string;
      ownerId: string;
      updatedAt: string;
      updatedBy: string;
      version: number;
    };
    LogPage: {
      events: {
        container?: string;
        message: string;
        /** @enum {string} */
        stream: 'stdout' | 'stderr';
        timestamp: number;
      }[];
      nextCursor: string;
    };
    MetricPoint: {
      runId: string;
      time: string;
      value: number;
    };
    Problem: {
      detail: string;
      errors?: {
        field: string;
        message: string;
      }[];
      instance?: string;
      status: number;
      title: string;
      type: string;
    };
    Registration: {
      /** Format: email */
      email: string;
      /** @description needed when the deployment registers by invitation only */
      inviteCode?: string;
      password: string;
    };
    Run: {
      appId: string;
      appName: string;
      appVersion: number;
      /**
       * @description the CPU architecture the task needs on Fargate (runtimePlatform.cpuArchitecture). Unset: built images run on the deployment's build architecture (ARM64), other images on X86_64. Dev mode records it and runs the image as Docker does.
       * @enum {string}
       */
      architecture?: 'ARM64' | 'X86_64';
      arrayProperties?: components['schemas']['ArrayProperties'];
      attempt: number;
      /**
       * @description at most 256 arguments, together at most 65536 bytes (UTF-8)
       * @example [
       *       "sh",
       *       "-c",
       *       "echo hello"
       *     ]
       */
      command: string[];
      /** @description each container's state, the main one first (runs with sidecars) */
      containers?: components['schemas']['ContainerState'][];
      cost?: components['schemas']['RunCost'];
      cpu: number;
      createdAt: string;
      /** @description the main container's start order (ECS dependsOn) */
      dependsOn?: components['schemas']['ContainerDependency'][];
      /** @description ms from startedAt to stoppedAt */
      durationMs?: number;
      /**
       * @description values of keys that look secret are masked
       * @example {
       *       "GREETING": "hello"
       *     }
       */
      env: {
        [key: string]: string;
      };
      exitCode?: number;
      healthCheck?: components['schemas']['HealthCheck'];
      image: string;
      /** @description the digest of the image the run ran (a built image: image is its per-build reference); a replay runs exactly it */
      imageDigest?: string;
      /** @description USD of Fargate time after which a run is stopped (TIMED_OUT, saying so): a timeout of maxCostPerRun / its price per second */
      maxCostPerRun?: number;
      memoryMiB: number;
      nextRunId?: string;
      ownerId: string;
      /** @description an array job's child: its parent run (its runId is `<parentRunId>-<index>`) */
      parentRunId?: string;
      previousRunId?: string;
      /** @description the run this one replays (POST /runs/{runId}/replay): its image digest, command or script, env and sidecars */
      replayOf?: string;
      /** @description the last result the job posted, with the values of the run's secrets masked (`***`) */
      result?: {
        [key: string]: unknown;
      };
      resultAt?: string;
      /** @description days the run is kept after it finishes; 0 = forever */
      retentionDays?: number;
      retry: {
        /** @description attempts in total; 1 = no retry (as AWS Batch) */
        maxAttempts: number;
        /** @description retry only when the exit code is one of these */
        onExitCodes?: number[];
      };
      runId: string;
      scheduledTime?: string;
      scheduleId?: string;
      /** @description hex SHA-256 of the script source the run ran (the app version's) */
      scriptSha256?: string;
      /**
       * @description env name → the name of one of your secrets; the main container gets the secret's value as that variable
       * @example {
       *       "DB_PASSWORD": "db-pass"
       *     }
       */
      secrets?: {
        [key: string]: string;
      };
      secretVersions?: components['schemas']['SecretVersions'];
      /** @description the sidecars as the run launched them: each image is the exact reference that ran */
      sidecars?: components['schemas']['RunSidecar'][];
      startedAt?: string;
      /** @enum {string} */
      status: 'PENDING' | 'PROVISIONING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'TIMED_OUT';
      stoppedAt?: string;
      stoppedReason?: string;
      /** @description ECS task ARN or Docker container id */
      taskRef?: string;
      timeoutSeconds: number;
      /** @enum {string} */
      trigger: 'manual' | 'schedule' | 'retry' | 'replay';
    };
    /** @description a finished run that started: what it costs (rules/cost-rules.ts) */
    RunCost: {
      /** @enum {string} */
      architecture: 'ARM64' | 'X86_64';
      /** @description s Fargate bills: the duration rounded up, at least 60 */
      billedSeconds: number;
      /** @description true in dev mode: what the same run would cost on Fargate */
      estimate: boolean;
      /** @description vcpuHours × price per vCPU-hour + gbHours × price per GB-hour */
      fargateUsd: number;
      gbHours: number;
      /** @description the platform's own share (Lambda, DynamoDB, logs), as assumed in the README */
      platformUsd: number;
      priceSource: string;
      region: string;
      totalUsd: number;
      vcpuHours: number;
    };
    RunCreate: {
      /** @description makes this run an array job: a parent of `size` child runs, each given CONTAINERIZER_ARRAY_INDEX (0…size-1) and CONTAINERIZER_ARRAY_SIZE */
      arrayProperties?: {
        /** @description children, 2–10000 (AWS Batch's bounds) */
        size: number;
      };
      /**
       * @description at most 256 arguments, together at most 65536 bytes (UTF-8)
       * @example [
       *       "sh",
       *       "-c",
       *       "echo hello"
       *     ]
       */
      command?: string[];
      /**
       * @description merged over the app's env
       * @example {
       *       "GREETING": "hello"
       *     }
       */
      env?: {
        [key: string]: string;
      };
      /** @description an array job's children active at once (default: its size, capped by MAX_ACTIVE_RUNS_PER_USER); never more than the owner's run quota leaves room for */
      parallelism?: number;
    };
    RunHistory: {
      history: {
        at: string;
        exitCode?: number;
        reason?: string;
        /** @enum {string} */
        status: 'PENDING' | 'PROVISIONING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'TIMED_OUT';
      }[];
      runId: string;
      /** @enum {string} */
      status: 'PENDING' | 'PROVISIONING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'TIMED_OUT';
    };
    /**
     * @example {
     *       "perf": 0.93,
     *       "rows": 1200,
     *       "model": "b"
     *     }
     */
    RunResult: {
      [key: string]: unknown;
    };
    /** @description a sidecar as the run launched it: image is the exact reference (a built image's per-build reference) */
    RunSidecar: {
      /**
       * @description at most 256 arguments, together at most 65536 bytes (UTF-8)
       * @example [
       *       "sh",
       *       "-c",
       *       "echo hello"
       *     ]
       */
      command?: string[];
      /** @description vCPU reserved for this container out of the task's */
      cpu?: number;
      dependsOn?: components['schemas']['ContainerDependency'][];
      /**
       * @description names and values together at most 131072 bytes (UTF-8)
       * @example {
       *       "GREETING": "hello"
       *     }
       */
      env?: {
        [key: string]: string;
      };
      /**
       * @description as ECS: when an essential container exits, the task stops (the run FAILS)
       * @default true
       */
      essential: boolean;
      healthCheck?: components['schemas']['HealthCheck'];
      image: string;
      /** @description MiB: this container's hard limit, out of the task's (Docker's minimum is 6) */
      memoryMiB?: number;
      name: string;
    };
    ScanResult: {
      counts: {
        CRITICAL?: number;
        HIGH?: number;
        INFORMATIONAL?: number;
        LOW?: number;
        MEDIUM?: number;
      };
      findings: {
        id: string;
        /** @enum {string} */
        severity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';
        title: string;
        where: string;
      }[];
      scannedAt: string;
      scanner: string;
      truncated: boolean;
    };
    Schedule: {
      /**
       * @description at() schedules: DELETE removes the schedule once it has fired; NONE keeps it
       * @enum {string}
       */
      actionAfterCompletion: 'NONE' | 'DELETE';
      appId: string;
      catchUp: components['schemas']['CatchUp'];
      createdAt: string;
      description?: string;
      /** @description set when the platform disabled the schedule, saying why */
      disabledReason?: string;
      enabled: boolean;
      /**
       * @description EventBridge Scheduler syntax, in the schedule's timeZone: cron(min hour dom month dow year), rate(5 minutes) or at(yyyy-mm-ddThh:mm:ss)
       * @example rate(5 minutes)
       */
      expression: string;
      /** @description each fire may come up to this many minutes after its slot, to spread schedules due at once (EventBridge Scheduler FlexibleTimeWindow); 0: on time */
      flexibleWindowMinutes: number;
      /** @description the latest slot the ledger has an entry for (UTC) */
      lastSlot?: string;
      /**
       * @description what a fire does while a run of this schedule is active
       * @enum {string}
       */
      overlapPolicy: 'Allow' | 'Forbid' | 'Replace';
      overrides: components['schemas']['RunCreate'];
      ownerId: string;
      scheduleId: string;
      /**
       * @description IANA time zone in which cron and at() expressions are evaluated
       * @example Europe/Berlin
       */
      timeZone: string;
      updatedAt: string;
    };
    ScheduleCreate: {
      /**
       * @description at() schedules: DELETE removes the schedule once it has fired; NONE keeps it
       * @default NONE
       * @enum {string}
       */
      actionAfterCompletion: 'NONE' | 'DELETE';
      catchUp?: components['schemas']['CatchUp'];
      description?: string;
      /** @default true */
      enabled: boolean;
      /**
       * @description EventBridge Scheduler syntax, in the schedule's timeZone: cron(min hour dom month dow year), rate(5 minutes) or at(yyyy-mm-ddThh:mm:ss)
       * @example rate(5 minutes)
       */
      expression: string;
      /**
       * @description each fire may come up to this many minutes after its slot, to spread schedules due at once (EventBridge Scheduler FlexibleTimeWindow); 0: on time
       * @default 0
       */
      flexibleWindowMinutes: number;
      /**
       * @description what a fire does while a run of this schedule is active
       * @default Allow
       * @enum {string}
       */
      overlapPolicy: 'Allow' | 'Forbid' | 'Replace';
      overrides?: components['schemas']['RunCreate'];
      /**
       * @description IANA time zone in which cron and at() expressions are evaluated
       * @default UTC
       * @example Europe/Berlin
       */
      timeZone: string;
    };
    ScheduleFire: {
      at: string;
      /** @description the run was started by the catch-up policy, after the slot had passed */
      caughtUp?: boolean;
      /** @description fires received for this slot; each after the first was deduplicated */
      deliveries?: number;
      /** @enum {string} */
      outcome: 'STARTED' | 'REPLACED' | 'SKIPPED' | 'LAUNCH_FAILED' | 'MISSED';
      reason?: string;
      /** @description REPLACED: the runs this fire stopped */
      replacedRunIds?: string[];
      runId?: string;
      /** @description the slot, UTC */
      scheduledTime: string;
      scheduleId: string;
    };
    SchedulePatch: {
      /**
       * @description at() schedules: DELETE removes the schedule once it has fired; NONE keeps it
       * @enum {string}
       */
      actionAfterCompletion?: 'NONE' | 'DELETE';
      catchUp?: components['schemas']['CatchUp'];
      description?: string;
      enabled?: boolean;
      /**
       * @description EventBridge Scheduler syntax, in the schedule's timeZone: cron(min hour dom month dow year), rate(5 minutes) or at(yyyy-mm-ddThh:mm:ss)
       * @example rate(5 minutes)
       */
      expression?: string;
      /** @description each fire may come up to this many minutes after its slot, to spread schedules due at once (EventBridge Scheduler FlexibleTimeWindow); 0: on time */
      flexibleWindowMinutes?: number;
      /**
       * @description what a fire does while a run of this schedule is active
       * @enum {string}
       */
      overlapPolicy?: 'Allow' | 'Forbid' | 'Replace';
      overrides?: components['schemas']['RunCreate'];
      /**
       * @description IANA time zone in which cron and at() expressions are evaluated
       * @example Europe/Berlin
       */
      timeZone?: string;
    };
    SchedulePreview: {
      slots: {
        /**
         * @description the slot in the schedule's zone, with its offset
         * @example 2026-03-29T03:30:00+02:00
         */
        localTime?: string;
        /**
         * @description the clocks go back: this wall-clock time occurs twice and fires once
         * @enum {boolean}
         */
        repeatedOnce?: true;
        /**
         * @description the clocks go forward: this wall-clock time does not exist and does not fire
         * @enum {boolean}
         */
        skipped?: true;
        /** @description when the slot fires, UTC */
        time?: string;
        /** @description a skipped slot's wall-clock time */
        wallClock?: string;
      }[];
      /** @description the next fire times, UTC */
      times: string[];
      timeZone: string;
    };
    SchedulePreviewRequest: {
      /** @default 5 */
      count: number;
      /**
       * @description EventBridge Scheduler syntax, in the schedule's timeZone: cron(min hour dom month dow year), rate(5 minutes) or at(yyyy-mm-ddThh:mm:ss)
       * @example rate(5 minutes)
       */
      expression: string;
      /**
       * @description IANA time zone in which cron and at() expressions are evaluated
       * @default UTC
       * @example Europe/Berlin
       */
      timeZone: string;
    };
    /** @description source to run instead of `command` (the two are exclusive) */
    Script: {
      /** @description arguments passed to the script */
      args?: string[];
      /**
       * @description run with the image's interpreter: sh, python3 or node
       * @enum {string}
       */
      language: 'sh' | 'python' | 'node';
      /** @description the program's text, at most 32768 bytes (UTF-8) */
      source: string;
    };
    Secret: {
      createdAt: string;
      name: string;
      ownerId: string;
      /** @description when the current version was written */
      updatedAt: string;
      updatedBy: string;
      /** @description starts at 1; every PUT of a new value adds one */
      version: number;
    };
    SecretCreate: {
      /** @example db-pass */
      name: string;
      /** @description the value, at most 65536 bytes (UTF-8); write-only: never returned */
      value: string;
    };
    SecretUpdate: {
      /** @description the value, at most 65536 bytes (UTF-8); write-only: never returned */
      value: string;
    };
    /** @description env name → the secret and version the run received (never the value) */
    SecretVersions: {
      [key: string]: {
        name: string;
        version: number;
      };
    };
    Sidecar: {
      /**
       * @description at most 256 arguments, together at most 65536 bytes (UTF-8)
       * @example [
       *       "sh",
       *       "-c",
       *       "echo hello"
       *     ]
       */
      command?: string[];
      /** @description vCPU reserved for this container out of the task's */
      cpu?: number;
      dependsOn?: components['schemas']['ContainerDependency'][];
      /**
       * @description names and values together at most 131072 bytes (UTF-8)
       * @example {
       *       "GREETING": "hello"
       *     }
       */
      env?: {
        [key: string]: string;
      };
      /**
       * @description as ECS: when an essential container exits, the task stops (the run FAILS)
       * @default true
       */
      essential: boolean;
      healthCheck?: components['schemas']['HealthCheck'];
      image: string | components['schemas']['BuiltImageRef'];
      /** @description MiB: this container's hard limit, out of the task's (Docker's minimum is 6) */
      memoryMiB?: number;
      name: string;
    };
    TokenSet: {
      accessToken: string;
      expiresIn: number;
      refreshToken: string;
      /** @enum {string} */
      tokenType: 'Bearer';
    };
    User: {
      createdAt: string;
      email: string;
      /** @enum {string} */
      role: 'user' | 'admin';
      userId: string;
    };
    VersionDiff: {
      against: number;
      appId: string;
      /** @description when `version` was made */
      changedAt: string;
      /** @description who made `version` */
      changedBy: string;
      /** @description fields that differ between the two versions */
      changedFields: string[];
      /** @description unified diff of the script source, `against` → `version` */
      diff: string;
      version: number;
    };
    WebhookTarget: {
      /**
       * @description `standard`: the alert as JSON; `slack`: a Slack incoming-webhook body (`{text}`). Both are signed
       * @default standard
       * @enum {string}
       */
      format: 'standard' | 'slack';
      /**
       * Format: uri
       * @description https in the cloud; never a private, loopback or link-local address (dev mode allows loopback)
       */
      url: string;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  collectGarbage: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description what was removed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['GcReport'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the token is valid but not for this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description this backend has no garbage collector (no image repository) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listAlerts: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of alert rules */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Alert'][];
            nextCursor?: string;
          };
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createAlert: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['AlertCreate'];
      };
    };
    responses: {
      /** @description created, with its signing secret */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AlertWithSecret'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is not of a media type the route takes */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getAlert: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        alertId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the alert rule */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Alert'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteAlert: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        alertId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  updateAlert: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        alertId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['AlertPatch'];
      };
    };
    responses: {
      /** @description updated */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Alert'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is not of a media type the route takes */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listAlertDeliveries: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path: {
        alertId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of deliveries */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['AlertDelivery'][];
            nextCursor?: string;
          };
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  redeliverAlert: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        alertId: string;
        deliveryId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the delivery with the new attempt */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AlertDelivery'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description what the request needs is gone for good */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  rotateAlertSecret: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        alertId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the rule with its new secret */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AlertWithSecret'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  testAlert: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        alertId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the delivery with its first attempt */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AlertDelivery'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listApps: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of apps */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['App'][];
            nextCursor?: string;
          };
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createApp: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['AppCreate'];
      };
    };
    responses: {
      /** @description created */
      201: {
        headers: {
          /** @description the version of the item, `"v<version>"`; send it back in If-Match */
          ETag?: string;
          /** @description the URL path of the item created or started */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['App'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is not of a media type the route takes */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getApp: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        appId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the app */
      200: {
        headers: {
          /** @description the version of the item, `"v<version>"`; send it back in If-Match */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['App'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteApp: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        appId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  updateApp: {
    parameters: {
      query?: never;
      header?: {
        /** @description the ETag (`"v<version>"`) of the version this change is based on; 412 when stale */
        'if-match'?: string;
      };
      path: {
        appId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['AppPatch'];
      };
    };
    responses: {
      /** @description the new version */
      200: {
        headers: {
          /** @description the version of the item, `"v<version>"`; send it back in If-Match */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['App'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the item changed since the version you sent */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is not of a media type the route takes */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getMetrics: {
    parameters: {
      query: {
        cursor?: string;
        /** @description points at or after (ISO 8601) */
        from?: string;
        limit?: number;
        name: string;
        /** @description points at or before (ISO 8601) */
        to?: string;
      };
      header?: never;
      path: {
        appId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of points */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['MetricPoint'][];
            nextCursor?: string;
          };
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createRun: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        appId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['RunCreate'];
      };
    };
    responses: {
      /** @description accepted */
      202: {
        headers: {
          /** @description the URL path of the item created or started */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Run'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description over the owner's monthly budget (MONTHLY_BUDGET_USD) until the month ends */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description over a rate limit or quota; Retry-After says when to try again */
      429: {
        headers: {
          /** @description seconds to wait before trying again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listAppSchedules: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path: {
        appId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of schedules */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Schedule'][];
            nextCursor?: string;
          };
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createSchedule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        appId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ScheduleCreate'];
      };
    };
    responses: {
      /** @description created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Schedule'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is not of a media type the route takes */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listAppVersions: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        appId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description versions, oldest first */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['AppVersion'][];
          };
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  diffAppVersions: {
    parameters: {
      query?: {
        /** @description the version to compare with (default: the one before) */
        against?: number;
      };
      header?: never;
      path: {
        appId: string;
        version: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the diff, `against` → `version` */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['VersionDiff'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  login: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['Credentials'];
      };
    };
    responses: {
      /** @description signed in */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TokenSet'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is not of a media type the route takes */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description over a rate limit or quota; Retry-After says when to try again */
      429: {
        headers: {
          /** @description seconds to wait before trying again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  me: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the account */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  refresh: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          refreshToken: string;
        };
      };
    };
    responses: {
      /** @description new tokens */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TokenSet'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is not of a media type the route takes */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description over a rate limit or quota; Retry-After says when to try again */
      429: {
        headers: {
          /** @description seconds to wait before trying again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  register: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['Registration'];
      };
    };
    responses: {
      /** @description created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the token is valid but not for this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is not of a media type the route takes */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description over a rate limit or quota; Retry-After says when to try again */
      429: {
        headers: {
          /** @description seconds to wait before trying again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getCosts: {
    parameters: {
      query?: {
        /** @description only this app's runs */
        appId?: string;
        /** @description runs created at or after (ISO 8601); default: the start of this month */
        from?: string;
        /** @description app, schedule (runs of no schedule: `-`) or owner */
        groupBy?: 'app' | 'schedule' | 'owner';
        /** @description admins: one owner's runs (default: every owner's) */
        ownerId?: string;
        /** @description day (YYYY-MM-DD) or month (YYYY-MM), UTC, of the runs' creation */
        period?: 'day' | 'month';
        /** @description only this schedule's runs */
        scheduleId?: string;
        /** @description runs created at or before (ISO 8601); default: now */
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the roll-up */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CostReport'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  health: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description all checks pass */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            checks: {
              [key: string]: {
                detail?: string;
                ok: boolean;
              };
            };
            /** @enum {string} */
            status: 'ok' | 'degraded';
          };
        };
      };
      /** @description a check failed */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            checks: {
              [key: string]: {
                detail?: string;
                ok: boolean;
              };
            };
            /** @enum {string} */
            status: 'ok' | 'degraded';
          };
        };
      };
    };
  };
  listImages: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of images */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Image'][];
            nextCursor?: string;
          };
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createImage: {
    parameters: {
      query?: {
        description?: string;
        name?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/gzip': string;
        'application/json': components['schemas']['ImageCreate'];
        'application/x-tar': string;
      };
    };
    responses: {
      /** @description created */
      201: {
        headers: {
          /** @description the version of the item, `"v<version>"`; send it back in If-Match */
          ETag?: string;
          /** @description the URL path of the item created or started */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Image'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getImage: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        imageId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the image */
      200: {
        headers: {
          /** @description the version of the item, `"v<version>"`; send it back in If-Match */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Image'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteImage: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        imageId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  updateImage: {
    parameters: {
      query?: never;
      header?: {
        /** @description the ETag (`"v<version>"`) of the version this change is based on; 412 when stale */
        'if-match'?: string;
      };
      path: {
        imageId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ImagePatch'];
      };
    };
    responses: {
      /** @description the new version */
      200: {
        headers: {
          /** @description the version of the item, `"v<version>"`; send it back in If-Match */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Image'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the item changed since the version you sent */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is not of a media type the route takes */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listBuilds: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        imageId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description builds */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Build'][];
          };
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  startBuild: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        imageId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description accepted */
      202: {
        headers: {
          /** @description the URL path of the item created or started */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Build'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the token is valid but not for this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description over a rate limit or quota; Retry-After says when to try again */
      429: {
        headers: {
          /** @description seconds to wait before trying again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getBuild: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        imageId: string;
        number: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the build */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Build'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getBuildLogs: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: {
        /** @description resume an SSE follow after this event id (EventSource sends it on reconnecting) */
        'last-event-id'?: string;
      };
      path: {
        imageId: string;
        number: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of log lines */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['LogPage'];
          'text/event-stream': string;
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getImageFile: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        imageId: string;
        path: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the file */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/octet-stream': string;
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listImageVersions: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        imageId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description versions, oldest first */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['ImageVersion'][];
          };
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listRuns: {
    parameters: {
      query?: {
        /** @description the app's runs (without it: the caller's runs across apps). Either way an array job's children that have been created are listed beside their parent, each with its `parentRunId` and `arrayProperties.index`; children not created yet (beyond the parent's `arrayProperties.nextIndex`) are not listed */
        appId?: string;
        cursor?: string;
        /** @description runs created at or after (ISO 8601); an array job's child by its parent's creation */
        from?: string;
        limit?: number;
        /** @description a filter over each page: a page may hold fewer than `limit` runs; follow nextCursor */
        status?: 'PENDING' | 'PROVISIONING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'TIMED_OUT';
        /** @description runs created at or before (ISO 8601); an array job's child by its parent's creation */
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of runs */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Run'][];
            nextCursor?: string;
          };
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getRun: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        runId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the run */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Run'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listRunChildren: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path: {
        runId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of children */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Run'][];
            nextCursor?: string;
          };
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getRunHistory: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        runId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the history */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RunHistory'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  killRun: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        runId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description killed */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Run'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getRunLogs: {
    parameters: {
      query?: {
        /** @description only this container's lines (the main one is `app`); pass the same value with a cursor */
        container?: string;
        cursor?: string;
        limit?: number;
        /** @description ms since the epoch; ignored with a cursor */
        startTime?: number | null;
      };
      header?: {
        /** @description resume an SSE follow after this event id (EventSource sends it on reconnecting) */
        'last-event-id'?: string;
      };
      path: {
        runId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of log lines */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['LogPage'];
          'text/event-stream': string;
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description a backing service is throttling or down; Retry-After says when to try again */
      503: {
        headers: {
          /** @description seconds to wait before trying again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  replayRun: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        runId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description accepted */
      202: {
        headers: {
          /** @description the URL path of the item created or started */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Run'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description over the owner's monthly budget (MONTHLY_BUDGET_USD) until the month ends */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description what the request needs is gone for good */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description over a rate limit or quota; Retry-After says when to try again */
      429: {
        headers: {
          /** @description seconds to wait before trying again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postResult: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        runId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description recorded */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            metrics: string[];
            resultAt: string;
            runId: string;
          };
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the token is valid but not for this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description over a rate limit or quota; Retry-After says when to try again */
      429: {
        headers: {
          /** @description seconds to wait before trying again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  stopRun: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        runId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * @description s between SIGTERM and SIGKILL
           * @default 10
           */
          graceSeconds?: number;
        };
      };
    };
    responses: {
      /** @description stopping */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Run'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listSchedules: {
    parameters: {
      query?: {
        appId?: string;
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of schedules */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Schedule'][];
            nextCursor?: string;
          };
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getSchedule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        scheduleId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the schedule */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Schedule'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteSchedule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        scheduleId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  updateSchedule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        scheduleId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['SchedulePatch'];
      };
    };
    responses: {
      /** @description updated */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Schedule'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is not of a media type the route takes */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listFires: {
    parameters: {
      query?: {
        cursor?: string;
        /** @description slots at or after this time */
        from?: string;
        limit?: number;
        /** @description slots at or before this time */
        to?: string;
      };
      header?: never;
      path: {
        scheduleId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of fires */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['ScheduleFire'][];
            nextCursor?: string;
          };
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  nextFires: {
    parameters: {
      query?: {
        count?: number;
      };
      header?: never;
      path: {
        scheduleId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description fire times, ascending */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SchedulePreview'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  previewSchedule: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['SchedulePreviewRequest'];
      };
    };
    responses: {
      /** @description fire times, ascending */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SchedulePreview'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listSecrets: {
    parameters: {
      query?: {
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of secrets */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Secret'][];
            nextCursor?: string;
          };
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createSecret: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['SecretCreate'];
      };
    };
    responses: {
      /** @description created: its name and version, not its value */
      201: {
        headers: {
          /** @description the version of the item, `"v<version>"`; send it back in If-Match */
          ETag?: string;
          /** @description the URL path of the item created or started */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Secret'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is not of a media type the route takes */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description a backing service is throttling or down; Retry-After says when to try again */
      503: {
        headers: {
          /** @description seconds to wait before trying again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getSecret: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the secret */
      200: {
        headers: {
          /** @description the version of the item, `"v<version>"`; send it back in If-Match */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Secret'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  updateSecret: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['SecretUpdate'];
      };
    };
    responses: {
      /** @description the new version */
      200: {
        headers: {
          /** @description the version of the item, `"v<version>"`; send it back in If-Match */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Secret'];
        };
      };
      /** @description invalid input: the problem document lists each bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is larger than the route allows; the connection is closed */
      413: {
        headers: {
          /** @description `close`: the unread body is still on the connection, so it is not reused */
          Connection?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description the body is not of a media type the route takes */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description a backing service is throttling or down; Retry-After says when to try again */
      503: {
        headers: {
          /** @description seconds to wait before trying again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteSecret: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description missing, invalid or expired bearer token */
      401: {
        headers: {
          /** @description the bearer challenge (RFC 6750 §3) */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description no such item, or not yours */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
}
