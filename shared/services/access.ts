import type { Principal } from '../domain.js';

/** Items belong to an owner: the owner and admins may see and change them. */
export function canAccess(principal: Principal, ownerId: string): boolean {
  return principal.role === 'admin' || principal.userId === ownerId;
}
