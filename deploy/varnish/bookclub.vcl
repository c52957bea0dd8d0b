vcl 4.1;
# bookclub behind Varnish 7.1 (Debian) with varnish-modules' xkey.
#
# What is stored: anonymous GET/HEAD answers that the app marked public with
# a max-age and tagged with its keys (an xkey or Surrogate-Key header). Everything that can depend on the
# reader (a cookie, an Authorization header, read=, spoilers=, reveal…) goes
# to the app and is never stored. The app purges by key on every change
# (PURGE with an xkey-purge header, sent by reviews.frontend_cache.XkeyBackend
# when the transaction commits). See docs/deploy.md.
#
# The app nodes and who may purge live in backends.vcl (an example is next to
# this file): varnishd -f bookclub.vcl -p vcl_path=<dir with backends.vcl>:…

import std;
import var;
import xkey;

include "backends.vcl";

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        # Remember when the last purge came in: an answer the app began to
        # build before it may hold what the purge retired (vcl_backend_response).
        set req.http.X-Purged-At = std.real(time=now);
        var.global_set("purged_at", req.http.X-Purged-At);
        if (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
            return (synth(200, "Purged " + req.http.n-gone));
        }
        return (purge);
    }
    set req.backend_hint = app.backend();
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The reader's own state: a session, messages, a token, or a declared
    # reading progress. Any cookie at all passes: the edge cannot know which
    # ones the app reads.
    if (req.http.Cookie || req.http.Authorization) {
        return (pass);
    }
    # A GET's Content-Type charset is how the app decodes its query (under
    # UTF-7 "+AHM-poilers=show" is spoilers=show): not the address's copy.
    if (req.http.Content-Type) {
        return (pass);
    }
    if (req.url ~ "[?&](read|spoilers|reveal|reveal_comments|preview|token)=") {
        return (pass);
    }
    if (req.url ~ "^/(admin|django-admin|accounts|club/reveal)(/|$)") {
        return (pass);
    }
    # A client cannot ask the edge to skip the cache: a flood of
    # "no-cache" requests would reach the app.
    unset req.http.Cache-Control;
    unset req.http.Pragma;
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    if (req.http.host) {
        hash_data(req.http.host);
    } else {
        hash_data(server.ip);
    }
    # http and https copies of a page differ in their absolute links.
    hash_data(req.http.X-Forwarded-Proto);
    return (lookup);
}

sub vcl_backend_fetch {
    set bereq.http.X-Edge-Fetch-Started = std.real(time=now);
}

sub vcl_backend_response {
    set beresp.http.X-Edge-Fetch-Started = bereq.http.X-Edge-Fetch-Started;
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Only what the app tagged and declared shareable is stored: a response
    # without keys could not be purged when its content changes.
    if (beresp.status != 200
        || !(beresp.http.xkey || beresp.http.Surrogate-Key)
        || beresp.http.Set-Cookie
        || beresp.http.Cache-Control !~ "(^|[ ,])public([ ,]|$)"
        || beresp.http.Cache-Control ~ "(private|no-store|no-cache)"
        || regsuball(beresp.http.Vary, "(?i)cookie|authorization|accept-encoding|accept-language|accept|origin|[\s,]", "") != "") {
        set beresp.uncacheable = true;
        set beresp.ttl = 30s;
        return (deliver);
    }
    # A purge that arrived while this answer was being built may have
    # retired what it shows: deliver it once, keep nothing. Times are to the
    # millisecond; a purge in the fetch's own millisecond counts as during.
    # xkey files the answer under its keys only once it is inserted, after
    # this check: the app purges each change's keys a second time a moment
    # later for one that came in between (VARNISH_REPURGE_SECONDS).
    if (std.real(var.global_get("purged_at"), 0.0)
        >= std.real(bereq.http.X-Edge-Fetch-Started, 0.0)) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    if (!beresp.http.xkey) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Expired (not purged) answers may be served for a few seconds while one
    # request fetches the new copy. A purge removes an answer outright.
    set beresp.grace = 10s;
    return (deliver);
}

sub vcl_deliver {
    if (obj.uncacheable) {
        set resp.http.X-Cache = "pass";
    } else if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.X-Edge-Fetch-Started;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}
