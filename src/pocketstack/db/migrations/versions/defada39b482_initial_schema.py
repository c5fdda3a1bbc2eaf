"""initial schema

Revision ID: defada39b482
Revises: 
Create Date: 2026-11-26 12:42:49.716548
"""

import sqlalchemy as sa
from alembic import op

revision = 'defada39b482'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('domains',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domains')),
    sa.UniqueConstraint('name', name=op.f('uq_domains_name'))
    )
    with op.batch_alter_table('domains', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_domains_updated_at'), ['updated_at'], unique=False)

    op.create_table('flavors',
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('vcpus', sa.Integer(), nullable=False),
    sa.Column('ram', sa.Integer(), nullable=False),
    sa.Column('disk', sa.Integer(), nullable=False),
    sa.Column('ephemeral', sa.Integer(), nullable=False),
    sa.Column('swap', sa.Integer(), nullable=False),
    sa.Column('rxtx_factor', sa.Float(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('extra_specs', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flavors')),
    sa.UniqueConstraint('name', name=op.f('uq_flavors_name'))
    )
    with op.batch_alter_table('flavors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flavors_updated_at'), ['updated_at'], unique=False)

    op.create_table('images',
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('owner', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.Column('protected', sa.Boolean(), nullable=False),
    sa.Column('os_hidden', sa.Boolean(), nullable=False),
    sa.Column('container_format', sa.String(length=32), nullable=True),
    sa.Column('disk_format', sa.String(length=32), nullable=True),
    sa.Column('min_disk', sa.Integer(), nullable=False),
    sa.Column('min_ram', sa.Integer(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('virtual_size', sa.BigInteger(), nullable=True),
    sa.Column('checksum', sa.String(length=32), nullable=True),
    sa.Column('os_hash_algo', sa.String(length=64), nullable=True),
    sa.Column('os_hash_value', sa.String(length=128), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_images'))
    )
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_images_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_images_owner'), ['owner'], unique=False)
        batch_op.create_index(batch_op.f('ix_images_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_images_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_images_visibility'), ['visibility'], unique=False)

    op.create_table('keypairs',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('public_key', sa.Text(), nullable=False),
    sa.Column('fingerprint', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_keypairs')),
    sa.UniqueConstraint('user_id', 'name', name=op.f('uq_keypairs_user_id'))
    )
    with op.batch_alter_table('keypairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_keypairs_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_keypairs_user_id'), ['user_id'], unique=False)

    op.create_table('networks',
    sa.Column('admin_state_up', sa.Boolean(), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('external', sa.Boolean(), nullable=False),
    sa.Column('mtu', sa.Integer(), nullable=False),
    sa.Column('port_security_enabled', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('applied_generation', sa.Integer(), nullable=False),
    sa.Column('deleting', sa.Boolean(), nullable=False),
    sa.Column('fault', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_networks'))
    )
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_networks_deleting'), ['deleting'], unique=False)
        batch_op.create_index(batch_op.f('ix_networks_external'), ['external'], unique=False)
        batch_op.create_index(batch_op.f('ix_networks_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_networks_updated_at'), ['updated_at'], unique=False)

    op.create_table('quota_limits',
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('resource', sa.String(length=64), nullable=False),
    sa.Column('hard_limit', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('project_id', 'resource', name=op.f('pk_quota_limits'))
    )
    op.create_table('roles',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roles')),
    sa.UniqueConstraint('name', name=op.f('uq_roles_name'))
    )
    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roles_updated_at'), ['updated_at'], unique=False)

    op.create_table('routers',
    sa.Column('admin_state_up', sa.Boolean(), nullable=False),
    sa.Column('gateway_network_id', sa.String(length=36), nullable=True),
    sa.Column('enable_snat', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('applied_generation', sa.Integer(), nullable=False),
    sa.Column('deleting', sa.Boolean(), nullable=False),
    sa.Column('fault', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routers'))
    )
    with op.batch_alter_table('routers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routers_deleting'), ['deleting'], unique=False)
        batch_op.create_index(batch_op.f('ix_routers_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_routers_updated_at'), ['updated_at'], unique=False)

    op.create_table('security_groups',
    sa.Column('stateful', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_groups'))
    )
    with op.batch_alter_table('security_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_groups_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_groups_updated_at'), ['updated_at'], unique=False)

    op.create_table('servers',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('hostname', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('vm_state', sa.String(length=32), nullable=False),
    sa.Column('task_state', sa.String(length=32), nullable=True),
    sa.Column('power_state', sa.Integer(), nullable=False),
    sa.Column('flavor_id', sa.String(length=255), nullable=False),
    sa.Column('flavor', sa.JSON(), nullable=False),
    sa.Column('image_id', sa.String(length=36), nullable=True),
    sa.Column('key_name', sa.String(length=255), nullable=True),
    sa.Column('key_data', sa.Text(), nullable=True),
    sa.Column('user_data', sa.Text(), nullable=True),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('availability_zone', sa.String(length=255), nullable=False),
    sa.Column('access_ipv4', sa.String(length=64), nullable=False),
    sa.Column('access_ipv6', sa.String(length=64), nullable=False),
    sa.Column('config_drive', sa.String(length=8), nullable=False),
    sa.Column('disk_config', sa.String(length=8), nullable=False),
    sa.Column('reservation_id', sa.String(length=16), nullable=False),
    sa.Column('launch_index', sa.Integer(), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('locked_reason', sa.Text(), nullable=True),
    sa.Column('launched_at', sa.DateTime(), nullable=True),
    sa.Column('snapshot_image_id', sa.String(length=36), nullable=True),
    sa.Column('fault', sa.JSON(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_servers'))
    )
    with op.batch_alter_table('servers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_servers_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_servers_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_servers_reservation_id'), ['reservation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_servers_task_state'), ['task_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_servers_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_servers_vm_state'), ['vm_state'], unique=False)

    op.create_table('console_tokens',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('server_id', sa.String(length=36), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['server_id'], ['servers.id'], name=op.f('fk_console_tokens_server_id_servers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_console_tokens'))
    )
    with op.batch_alter_table('console_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_tokens_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_console_tokens_server_id'), ['server_id'], unique=False)

    op.create_table('default_security_groups',
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('security_group_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['security_group_id'], ['security_groups.id'], name=op.f('fk_default_security_groups_security_group_id_security_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_default_security_groups'))
    )
    op.create_table('flavor_access',
    sa.Column('flavor_id', sa.String(length=255), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['flavor_id'], ['flavors.id'], name=op.f('fk_flavor_access_flavor_id_flavors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('flavor_id', 'project_id', name=op.f('pk_flavor_access'))
    )
    op.create_table('floating_ips',
    sa.Column('floating_network_id', sa.String(length=36), nullable=False),
    sa.Column('floating_ip_address', sa.String(length=64), nullable=False),
    sa.Column('floating_port_id', sa.String(length=36), nullable=True),
    sa.Column('port_id', sa.String(length=36), nullable=True),
    sa.Column('fixed_ip_address', sa.String(length=64), nullable=True),
    sa.Column('router_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('applied_generation', sa.Integer(), nullable=False),
    sa.Column('deleting', sa.Boolean(), nullable=False),
    sa.Column('fault', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['floating_network_id'], ['networks.id'], name=op.f('fk_floating_ips_floating_network_id_networks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_floating_ips'))
    )
    with op.batch_alter_table('floating_ips', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_floating_ips_deleting'), ['deleting'], unique=False)
        batch_op.create_index(batch_op.f('ix_floating_ips_floating_network_id'), ['floating_network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_floating_ips_port_id'), ['port_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_floating_ips_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_floating_ips_router_id'), ['router_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_floating_ips_updated_at'), ['updated_at'], unique=False)

    op.create_table('image_members',
    sa.Column('image_id', sa.String(length=36), nullable=False),
    sa.Column('member', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['image_id'], ['images.id'], name=op.f('fk_image_members_image_id_images'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('image_id', 'member', name=op.f('pk_image_members'))
    )
    with op.batch_alter_table('image_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_image_members_member'), ['member'], unique=False)
        batch_op.create_index(batch_op.f('ix_image_members_updated_at'), ['updated_at'], unique=False)

    op.create_table('image_properties',
    sa.Column('image_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['image_id'], ['images.id'], name=op.f('fk_image_properties_image_id_images'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('image_id', 'name', name=op.f('pk_image_properties'))
    )
    with op.batch_alter_table('image_properties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_image_properties_name'), ['name'], unique=False)

    op.create_table('image_tags',
    sa.Column('image_id', sa.String(length=36), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['image_id'], ['images.id'], name=op.f('fk_image_tags_image_id_images'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('image_id', 'value', name=op.f('pk_image_tags'))
    )
    with op.batch_alter_table('image_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_image_tags_value'), ['value'], unique=False)

    op.create_table('ports',
    sa.Column('network_id', sa.String(length=36), nullable=False),
    sa.Column('mac_address', sa.String(length=32), nullable=False),
    sa.Column('admin_state_up', sa.Boolean(), nullable=False),
    sa.Column('device_id', sa.String(length=255), nullable=False),
    sa.Column('device_owner', sa.String(length=255), nullable=False),
    sa.Column('port_security_enabled', sa.Boolean(), nullable=False),
    sa.Column('allowed_address_pairs', sa.JSON(), nullable=False),
    sa.Column('binding_host_id', sa.String(length=255), nullable=False),
    sa.Column('vnic_type', sa.String(length=64), nullable=False),
    sa.Column('auto_delete', sa.Boolean(), nullable=False),
    sa.Column('device_index', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('applied_generation', sa.Integer(), nullable=False),
    sa.Column('deleting', sa.Boolean(), nullable=False),
    sa.Column('fault', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_ports_network_id_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ports'))
    )
    with op.batch_alter_table('ports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ports_deleting'), ['deleting'], unique=False)
        batch_op.create_index(batch_op.f('ix_ports_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ports_device_owner'), ['device_owner'], unique=False)
        batch_op.create_index(batch_op.f('ix_ports_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ports_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ports_updated_at'), ['updated_at'], unique=False)

    op.create_table('projects',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('domain_id', sa.String(length=36), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['domain_id'], ['domains.id'], name=op.f('fk_projects_domain_id_domains')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('domain_id', 'name', name=op.f('uq_projects_domain_id'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_domain_id'), ['domain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_updated_at'), ['updated_at'], unique=False)

    op.create_table('security_group_rules',
    sa.Column('security_group_id', sa.String(length=36), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('ethertype', sa.String(length=8), nullable=False),
    sa.Column('protocol', sa.String(length=40), nullable=True),
    sa.Column('port_range_min', sa.Integer(), nullable=True),
    sa.Column('port_range_max', sa.Integer(), nullable=True),
    sa.Column('remote_ip_prefix', sa.String(length=64), nullable=True),
    sa.Column('remote_group_id', sa.String(length=36), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['remote_group_id'], ['security_groups.id'], name=op.f('fk_security_group_rules_remote_group_id_security_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['security_group_id'], ['security_groups.id'], name=op.f('fk_security_group_rules_security_group_id_security_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_group_rules'))
    )
    with op.batch_alter_table('security_group_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_group_rules_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_group_rules_remote_group_id'), ['remote_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_group_rules_security_group_id'), ['security_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_group_rules_updated_at'), ['updated_at'], unique=False)

    op.create_table('server_tags',
    sa.Column('server_id', sa.String(length=36), nullable=False),
    sa.Column('tag', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['server_id'], ['servers.id'], name=op.f('fk_server_tags_server_id_servers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('server_id', 'tag', name=op.f('pk_server_tags'))
    )
    op.create_table('subnets',
    sa.Column('network_id', sa.String(length=36), nullable=False),
    sa.Column('ip_version', sa.Integer(), nullable=False),
    sa.Column('cidr', sa.String(length=64), nullable=False),
    sa.Column('gateway_ip', sa.String(length=64), nullable=True),
    sa.Column('allocation_pools', sa.JSON(), nullable=False),
    sa.Column('dns_nameservers', sa.JSON(), nullable=False),
    sa.Column('host_routes', sa.JSON(), nullable=False),
    sa.Column('enable_dhcp', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_subnets_network_id_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subnets'))
    )
    with op.batch_alter_table('subnets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subnets_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subnets_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subnets_updated_at'), ['updated_at'], unique=False)

    op.create_table('users',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('domain_id', sa.String(length=36), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('default_project_id', sa.String(length=64), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['domain_id'], ['domains.id'], name=op.f('fk_users_domain_id_domains')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('domain_id', 'name', name=op.f('uq_users_domain_id'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_domain_id'), ['domain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_updated_at'), ['updated_at'], unique=False)

    op.create_table('application_credentials',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('secret_hash', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('unrestricted', sa.Boolean(), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_application_credentials_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_application_credentials_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_credentials')),
    sa.UniqueConstraint('user_id', 'name', name=op.f('uq_application_credentials_user_id'))
    )
    with op.batch_alter_table('application_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_credentials_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_credentials_user_id'), ['user_id'], unique=False)

    op.create_table('ip_allocations',
    sa.Column('port_id', sa.String(length=36), nullable=False),
    sa.Column('subnet_id', sa.String(length=36), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('network_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['port_id'], ['ports.id'], name=op.f('fk_ip_allocations_port_id_ports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subnet_id'], ['subnets.id'], name=op.f('fk_ip_allocations_subnet_id_subnets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('port_id', 'subnet_id', 'ip_address', name=op.f('pk_ip_allocations')),
    sa.UniqueConstraint('subnet_id', 'ip_address', name=op.f('uq_ip_allocations_subnet_id'))
    )
    with op.batch_alter_table('ip_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ip_allocations_network_id'), ['network_id'], unique=False)

    op.create_table('port_security_groups',
    sa.Column('port_id', sa.String(length=36), nullable=False),
    sa.Column('security_group_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['port_id'], ['ports.id'], name=op.f('fk_port_security_groups_port_id_ports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['security_group_id'], ['security_groups.id'], name=op.f('fk_port_security_groups_security_group_id_security_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('port_id', 'security_group_id', name=op.f('pk_port_security_groups'))
    )
    with op.batch_alter_table('port_security_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_port_security_groups_security_group_id'), ['security_group_id'], unique=False)

    op.create_table('role_assignments',
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('role_id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=True),
    sa.Column('domain_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['domain_id'], ['domains.id'], name=op.f('fk_role_assignments_domain_id_domains'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_role_assignments_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_role_assignments_role_id_roles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_role_assignments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_assignments')),
    sa.UniqueConstraint('user_id', 'project_id', 'domain_id', 'role_id', name=op.f('uq_role_assignments_user_id'))
    )
    with op.batch_alter_table('role_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_assignments_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_assignments_user_id'), ['user_id'], unique=False)

    op.create_table('tokens',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=True),
    sa.Column('domain_id', sa.String(length=64), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('methods', sa.JSON(), nullable=False),
    sa.Column('audit_id', sa.String(length=32), nullable=False),
    sa.Column('application_credential_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['application_credential_id'], ['application_credentials.id'], name=op.f('fk_tokens_application_credential_id_application_credentials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_tokens_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_tokens'))
    )
    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tokens_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tokens_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tokens_user_id'), ['user_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tokens_user_id'))
        batch_op.drop_index(batch_op.f('ix_tokens_project_id'))
        batch_op.drop_index(batch_op.f('ix_tokens_expires_at'))

    op.drop_table('tokens')
    with op.batch_alter_table('role_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_assignments_user_id'))
        batch_op.drop_index(batch_op.f('ix_role_assignments_project_id'))

    op.drop_table('role_assignments')
    with op.batch_alter_table('port_security_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_port_security_groups_security_group_id'))

    op.drop_table('port_security_groups')
    with op.batch_alter_table('ip_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ip_allocations_network_id'))

    op.drop_table('ip_allocations')
    with op.batch_alter_table('application_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_credentials_user_id'))
        batch_op.drop_index(batch_op.f('ix_application_credentials_updated_at'))

    op.drop_table('application_credentials')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_updated_at'))
        batch_op.drop_index(batch_op.f('ix_users_domain_id'))

    op.drop_table('users')
    with op.batch_alter_table('subnets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subnets_updated_at'))
        batch_op.drop_index(batch_op.f('ix_subnets_project_id'))
        batch_op.drop_index(batch_op.f('ix_subnets_network_id'))

    op.drop_table('subnets')
    op.drop_table('server_tags')
    with op.batch_alter_table('security_group_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_group_rules_updated_at'))
        batch_op.drop_index(batch_op.f('ix_security_group_rules_security_group_id'))
        batch_op.drop_index(batch_op.f('ix_security_group_rules_remote_group_id'))
        batch_op.drop_index(batch_op.f('ix_security_group_rules_project_id'))

    op.drop_table('security_group_rules')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_updated_at'))
        batch_op.drop_index(batch_op.f('ix_projects_domain_id'))

    op.drop_table('projects')
    with op.batch_alter_table('ports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ports_updated_at'))
        batch_op.drop_index(batch_op.f('ix_ports_project_id'))
        batch_op.drop_index(batch_op.f('ix_ports_network_id'))
        batch_op.drop_index(batch_op.f('ix_ports_device_owner'))
        batch_op.drop_index(batch_op.f('ix_ports_device_id'))
        batch_op.drop_index(batch_op.f('ix_ports_deleting'))

    op.drop_table('ports')
    with op.batch_alter_table('image_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_image_tags_value'))

    op.drop_table('image_tags')
    with op.batch_alter_table('image_properties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_image_properties_name'))

    op.drop_table('image_properties')
    with op.batch_alter_table('image_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_image_members_updated_at'))
        batch_op.drop_index(batch_op.f('ix_image_members_member'))

    op.drop_table('image_members')
    with op.batch_alter_table('floating_ips', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_floating_ips_updated_at'))
        batch_op.drop_index(batch_op.f('ix_floating_ips_router_id'))
        batch_op.drop_index(batch_op.f('ix_floating_ips_project_id'))
        batch_op.drop_index(batch_op.f('ix_floating_ips_port_id'))
        batch_op.drop_index(batch_op.f('ix_floating_ips_floating_network_id'))
        batch_op.drop_index(batch_op.f('ix_floating_ips_deleting'))

    op.drop_table('floating_ips')
    op.drop_table('flavor_access')
    op.drop_table('default_security_groups')
    with op.batch_alter_table('console_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_tokens_server_id'))
        batch_op.drop_index(batch_op.f('ix_console_tokens_expires_at'))

    op.drop_table('console_tokens')
    with op.batch_alter_table('servers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_servers_vm_state'))
        batch_op.drop_index(batch_op.f('ix_servers_updated_at'))
        batch_op.drop_index(batch_op.f('ix_servers_task_state'))
        batch_op.drop_index(batch_op.f('ix_servers_reservation_id'))
        batch_op.drop_index(batch_op.f('ix_servers_project_id'))
        batch_op.drop_index(batch_op.f('ix_servers_name'))

    op.drop_table('servers')
    with op.batch_alter_table('security_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_groups_updated_at'))
        batch_op.drop_index(batch_op.f('ix_security_groups_project_id'))

    op.drop_table('security_groups')
    with op.batch_alter_table('routers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routers_updated_at'))
        batch_op.drop_index(batch_op.f('ix_routers_project_id'))
        batch_op.drop_index(batch_op.f('ix_routers_deleting'))

    op.drop_table('routers')
    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roles_updated_at'))

    op.drop_table('roles')
    op.drop_table('quota_limits')
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_networks_updated_at'))
        batch_op.drop_index(batch_op.f('ix_networks_project_id'))
        batch_op.drop_index(batch_op.f('ix_networks_external'))
        batch_op.drop_index(batch_op.f('ix_networks_deleting'))

    op.drop_table('networks')
    with op.batch_alter_table('keypairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_keypairs_user_id'))
        batch_op.drop_index(batch_op.f('ix_keypairs_updated_at'))

    op.drop_table('keypairs')
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_images_visibility'))
        batch_op.drop_index(batch_op.f('ix_images_updated_at'))
        batch_op.drop_index(batch_op.f('ix_images_status'))
        batch_op.drop_index(batch_op.f('ix_images_owner'))
        batch_op.drop_index(batch_op.f('ix_images_name'))

    op.drop_table('images')
    with op.batch_alter_table('flavors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flavors_updated_at'))

    op.drop_table('flavors')
    with op.batch_alter_table('domains', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_domains_updated_at'))

    op.drop_table('domains')

