/** The most approval requests one run leaves waiting unless GOAL.md `pause: { pendingApprovals: N }` says otherwise (issue 20 item 5). */
export const DEFAULT_PENDING_APPROVALS = 20;
