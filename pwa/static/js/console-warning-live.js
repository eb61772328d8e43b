/**
 * Warnings that change while an operator looks: states and delivery counts.
 * The server's live feed (GET /api/v1/alerts/stream, Server-Sent Events)
 * carries every change as it happens — the push sender publishes counts
 * after each batch. While the feed is down (a proxy that buffers, a lost
 * connection), each watched warning with pushes still queued is asked for
 * every two seconds instead, until nothing of it is queued.
 */

import * as api from "./api.js";

const EVERY_MS = 2000;
const listeners = new Set();
let source = null;
let live = false; // the feed is open: no need to ask

function openFeed() {
  if (source || typeof EventSource === "undefined") return;
  source = api.alertStream({
    onAlert: (alert) => {
      for (const listener of listeners) listener(alert);
    },
    onOpen: () => {
      live = true;
    },
    onError: () => {
      live = false; // the browser reconnects by itself; ask meanwhile
    },
  });
}

/** Watch warnings; onAlert(alert) gets each fresh copy. stop() forgets them all. */
export function createCountsWatch(onAlert) {
  const watched = new Set();
  let timer = null;
  let round = 0;
  listeners.add(onAlert);
  openFeed();

  function schedule() {
    clearTimeout(timer);
    timer = watched.size ? setTimeout(poll, EVERY_MS) : null;
  }

  async function poll() {
    const mine = ++round;
    if (live) {
      schedule(); // the feed brings the changes; look again later in case it drops
      return;
    }
    await Promise.all(
      [...watched].map(async (id) => {
        try {
          const alert = await api.managedAlert(id);
          if (mine !== round || !watched.has(id)) return; // stopped meanwhile
          if (!alert.counts?.queued) watched.delete(id);
          onAlert(alert);
        } catch (error) {
          if (error.status === 404) watched.delete(id);
          else console.warn("warnings: counts not refreshed", error); // asked again next round
        }
      }),
    );
    if (mine === round) schedule();
  }

  return {
    /** Follow alert while any of its pushes are queued. */
    watch(alert) {
      if (!alert?.id || !alert.counts?.queued) return;
      const idle = watched.size === 0;
      watched.add(alert.id);
      if (idle) schedule();
    },
    stop() {
      watched.clear();
      round += 1;
      clearTimeout(timer);
      timer = null;
    },
  };
}
