"""Translated tooltips for streamlit-drawable-canvas's toolbar.

The canvas (0.13.0, pinned) writes its toolbar's tooltips and aria-labels in English and has
no option to change or hide them; hiding the toolbar would also lose its Send button, the
only way to classify with live prediction off. So a tiny Components v2 helper, mounted next
to the canvas, rewrites the `title` and `aria-label` of each toolbar button inside the
canvas's open shadow root. Each button remembers its English label (`data-label`), so a
switch back to English, or a canvas re-created under a new key, is translated again.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t

# The canvas's own English labels (frontend/build/index-*.js) → keys under digits.toolbar.
LABELS = {
    "Update the app with this drawing": "send",
    "Undo": "undo",
    "Redo": "redo",
    "Edit": "edit",
    "Bring forward": "forward",
    "Send backward": "backward",
    "Delete selected": "delete",
    "Reset canvas & history": "reset",
}

_JS = """
const running = new WeakMap();

export default function ({ data, parentElement }) {
  let state = running.get(parentElement);
  if (!state) {
    state = { data };
    state.apply = () => {
      const { target, labels } = state.data;
      const hosts = document.querySelectorAll(
        `.st-key-${CSS.escape(target)} [data-testid="stBidiComponentIsolated"]`
      );
      for (const host of hosts) {
        for (const button of host.shadowRoot?.querySelectorAll(".dc-icon-button[title]") ?? []) {
          const english = button.dataset.label ?? (button.dataset.label = button.title);
          const text = labels[english] ?? english;
          if (button.title !== text) {
            button.title = text;
            button.setAttribute("aria-label", text);
          }
        }
      }
    };
    // The canvas mounts (and re-mounts under a new key) on its own schedule: look again now and then.
    state.timer = setInterval(state.apply, 400);
    running.set(parentElement, state);
  }
  state.data = data;
  state.apply();
  return () => {
    clearInterval(state.timer);
    running.delete(parentElement);
  };
}
"""

_component = st.components.v2.component("digits_canvas_toolbar_labels", js=_JS, isolate_styles=False)


def translate_toolbar(canvas_key: str, family: str = "digits") -> None:
    """Give the toolbar of the canvas with key `canvas_key` tooltips in the page's language."""
    labels = {english: t(f"{family}.toolbar.{name}") for english, name in LABELS.items()}
    _component(data={"target": canvas_key, "labels": labels}, key=f"{family}_canvas_toolbar_labels", height=0)
