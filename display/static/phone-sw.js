/* The phone page's service worker (issue 21): it only shows the page's notifications where the
   browser allows them no other way (Chrome on Android), and brings the page back on a tap. It
   caches nothing and handles no requests. */

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const path = event.notification.data && event.notification.data.url;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((pages) => {
    const open = pages.find((page) => new URL(page.url).pathname === path);
    if (open) return open.focus();
    return path ? self.clients.openWindow(path) : undefined;
  }));
});
