// Mounting and poking Svelte 5 components in happy-dom without extra libraries.
import { flushSync, mount, tick, unmount, type Component } from 'svelte';

const mounted: (() => void)[] = [];

export function render<P extends Record<string, any>>(C: Component<P>, props?: P) {
  const target = document.createElement('div');
  document.body.appendChild(target);
  const instance = mount(C, { target, props: (props ?? {}) as P });
  flushSync();
  const destroy = () => {
    unmount(instance);
    target.remove();
  };
  mounted.push(destroy);
  return { target };
}

export function cleanup() {
  while (mounted.length) mounted.pop()!();
  document.body.innerHTML = '';
}

/** Lets pending promises (fake API calls) resolve and the DOM update. */
export async function settle(rounds = 6) {
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
  }
  await tick();
}

export function byTestId<T extends HTMLElement = HTMLElement>(root: ParentNode, id: string): T {
  const el = root.querySelector<T>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`no element with data-testid="${id}"`);
  return el;
}

export function queryTestId<T extends HTMLElement = HTMLElement>(root: ParentNode, id: string): T | null {
  return root.querySelector<T>(`[data-testid="${id}"]`);
}

export async function click(el: Element, init: MouseEventInit = {}) {
  el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, ...init }));
  await settle();
}

export async function key(el: Element, k: string, init: KeyboardEventInit = {}) {
  el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init }));
  await settle();
}

export async function type(el: HTMLInputElement, value: string) {
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  await settle(1);
}

export function text(el: Element | null): string {
  return (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
}
