/**
 * Who is acting. The lowest server layer: policy, services, realtime and auth all take an
 * `Actor`, so it depends on nothing (decision 0019).
 */

/** The signed-in user, as the policy module sees them. */
export interface Actor {
  id: number;
  username: string;
  isSuperuser: boolean;
}
