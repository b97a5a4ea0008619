// Sign-in errors as one plain sentence beside the form that failed.

/** The backend's message without the platform's name in front: the card already says which platform. */
export function signInError(text: string, platform: string): string {
  let s = text.trim();
  const prefix = new RegExp(`^${platform.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[:,-]\\s*`, 'i');
  s = s.replace(prefix, '');
  if (!s) return text;
  return s[0].toUpperCase() + s.slice(1);
}
