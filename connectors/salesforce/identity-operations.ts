/**
 * Who the connection is: `GET /services/oauth2/userinfo` answers the org id (`organization_id`) and user id of the
 * token's user. The Pub/Sub API needs the org id as its `tenantid` header (as the vendor's Go sample gets it).
 */
import type { OperationDef } from '../../engine/sdk/index.js';

export const salesforceIdentityOperations: Record<string, OperationDef> = {
  'identity.userinfo': {
    description: "The token user's identity: organization_id (the org id), user_id, preferred_username.",
    vendorName: 'GET /services/oauth2/userinfo',
    kind: 'read',
    object: 'userinfo',
    output: {
      type: 'object',
      properties: { organization_id: { type: 'string' }, user_id: { type: 'string' } },
    },
    request: () => ({ method: 'GET', path: '/services/oauth2/userinfo' }),
  },
};
