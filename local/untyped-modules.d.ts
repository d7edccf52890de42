// dynalite ships no types; this is the part of its API dev mode uses (its README).
declare module 'dynalite' {
  import type { Server } from 'node:net';
  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }
  export default function dynalite(options?: DynaliteOptions): Server;
}
