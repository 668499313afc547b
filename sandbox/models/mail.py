"""Messaging models (module ``mail``): chatter messages, activities, Discuss channels."""

from sandbox.schema import (
    Boolean,
    Char,
    Date,
    Datetime,
    Html,
    Integer,
    Many2many,
    Many2one,
    Many2oneReference,
    ModelSpec,
    One2many,
    Selection,
    Text,
)

MESSAGE_TYPES = (
    ("email", "Incoming Email"), ("comment", "Comment"), ("email_outgoing", "Outgoing Email"),
    ("notification", "System notification"), ("auto_comment", "Automated Targeted Notification"),
    ("user_notification", "User Specific Notification"), ("sms", "SMS"), ("snailmail", "Snailmail"),
)
ACTIVITY_MODELS = (
    ("res.partner", "Contact"), ("discuss.channel", "Discussion Channel"), ("account.move", "Journal Entry"),
    ("account.payment", "Payments"), ("purchase.order", "Purchase Order"), ("sale.order", "Sales Order"),
)


def _channel(name: str, since: int | None, until: int | None) -> ModelSpec:
    return ModelSpec(name, "Discussion Channel", module="mail", order="name, id", mail_thread=True,
                     since=since, until=until, fields=[
        Char("name", "Name", required=True),
        Selection("channel_type", "Channel Type", (("chat", "Chat"), ("channel", "Channel"), ("group", "Group")),
                  required=True, readonly=True, default="channel"),
        Text("description", "Description"),
        Boolean("active", "Active", default=True),
        Char("uuid", "UUID"),
        One2many("message_ids", "Messages", "mail.message", "res_id", extra_domain=(("model", "=", name),)),
    ])


MODELS = [
    ModelSpec("mail.message", "Message", module="mail", order="id desc", rec_name="record_name", fields=[
        Html("body", "Contents", default=""),
        Char("model", "Related Document Model", index=True),
        Many2oneReference("res_id", "Related Document ID", model_field="model", index=True),
        Selection("message_type", "Type", MESSAGE_TYPES, required=True, default="comment"),
        Many2one("author_id", "Author", "res.partner"),
        Datetime("date", "Date"),
        Char("subject", "Subject"),
        Char("record_name", "Message Record Name"),
        Many2many("partner_ids", "Recipients", "res.partner", relation_table="mail_message_res_partner_rel",
                  column1="mail_message_id", column2="res_partner_id"),
        Many2many("attachment_ids", "Attachments", "ir.attachment", relation_table="message_attachment_rel",
                  column1="message_id", column2="attachment_id"),
        Many2one("parent_id", "Parent Message", "mail.message"),
        Char("email_from", "From"),
        Boolean("is_internal", "Employee Only", default=False),
    ]),
    ModelSpec("mail.activity", "Activity", module="mail", order="date_deadline ASC, id ASC", rec_name="summary",
              display_sql="COALESCE(t.summary, (SELECT a.name FROM mail_activity_type a "
                          "WHERE a.id = t.activity_type_id))", fields=[
        Char("res_model", "Related Document Model", readonly=True, index=True),
        Many2one("res_model_id", "Document Model", "ir.model", required=True),
        Many2oneReference("res_id", "Related Document ID", model_field="res_model", index=True),
        Char("res_name", "Document Name", readonly=True),
        Many2one("activity_type_id", "Activity Type", "mail.activity.type"),
        Char("summary", "Summary"),
        Html("note", "Note"),
        Date("date_deadline", "Due Date", required=True, index=True),
        Many2one("user_id", "Assigned to", "res.users", required=True, index=True),
        Selection("state", "State", (("overdue", "Overdue"), ("today", "Today"), ("planned", "Planned"),
                  ("done", "Done")), readonly=True, store=False, compute="activity_state"),
        Boolean("active", "Active", default=True),
        Boolean("automated", "Automated activity", readonly=True, default=False),
    ]),
    ModelSpec("mail.activity.type", "Activity Type", module="mail", order="sequence, id", fields=[
        Char("name", "Name", required=True),
        Many2one("create_uid", "Create Uid", "res.users"),
        Char("summary", "Default Summary"),
        Selection("category", "Action", (("default", "None"), ("upload_file", "Upload Document"),
                  ("phonecall", "Phonecall")), default="default"),
        Selection("res_model", "Model", ACTIVITY_MODELS),
        Integer("delay_count", "Schedule", default=0),
        Selection("delay_unit", "Delay units", (("days", "days"), ("weeks", "weeks"), ("months", "months")),
                  required=True, default="days"),
        Char("icon", "Icon"),
        Boolean("active", "Active", default=True),
        Many2one("default_user_id", "Default User", "res.users"),
        Integer("sequence", "Sequence", default=10),
        Selection("decoration_type", "Decoration Type", (("warning", "Alert"), ("danger", "Error"))),
    ]),
    _channel("mail.channel", since=None, until=16),
    _channel("discuss.channel", since=17, until=None),
]
