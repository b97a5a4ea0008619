#!/usr/bin/python3
"""A file manager's part in a drop: a small window whose button, dragged,
offers the paths given as arguments (text/uri-list), as Files or Finder do.
It prints "ready" once shown and "dropped" when the drag ends."""
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

uris = [GLib.filename_to_uri(p, None) for p in sys.argv[1:]]

win = Gtk.Window(title="drag source")
win.set_default_size(60, 60)
button = Gtk.Button(label="drag")
button.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
button.drag_source_add_uri_targets()
button.connect("drag-data-get", lambda _w, _c, data, _i, _t: data.set_uris(uris))
button.connect("drag-end", lambda *_: print("dropped", flush=True))
win.add(button)
win.connect("destroy", Gtk.main_quit)
win.show_all()
GLib.idle_add(lambda: print("ready", flush=True) and False)
Gtk.main()
