/**
 * Delivery counts that move while a warning goes out. The push sender
 * publishes counts on the server's "alerts" channel, but no stream carries
 * them to browsers yet, so each warning with pushes still queued is asked
 * for again every two seconds until nothing of it is queued.
 */

import * as api from "./api.js";

const EVERY_MS = 2000;

/** Watch warnings; onAlert(alert) gets each fresh copy. stop() forgets them all. */
export function createCountsWatch(onAlert) {
  const watched = new Set();
  let timer = null;
  let round = 0;

  function schedule() {
    clearTimeout(timer);
    timer = watched.size ? setTimeout(poll, EVERY_MS) : null;
  }

  async function poll() {
    const mine = ++round;
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
