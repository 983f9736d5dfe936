-- Argo CD health check for the speculators.dev resources (HiddenStateDataset, SpeculatorTraining,
-- SpeculatorEval). argocd-cm-patch.yaml installs it for each kind.
--   Healthy      Ready=True: the work succeeded (a training passed its acceptance gate)
--   Degraded     Failed=True or Stalled=True: it failed, or cannot go on until someone fixes the
--                cause (the message says what)
--   Progressing  everything else, and while the operator has not yet reported on the current
--                generation of the spec
-- The message is the condition's reason and message, as `kubectl describe` shows them.
local hs = {}

local function describe(condition)
  local reason = condition.reason or ""
  local message = condition.message or ""
  if reason ~= "" and message ~= "" then
    return reason .. ": " .. message
  end
  if message ~= "" then
    return message
  end
  return reason
end

if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report on the resource"
  return hs
end

local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local conditions = {}
if obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type ~= nil then
      conditions[condition.type] = condition
    end
  end
end

local ready = conditions["Ready"]
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready)
  return hs
end

for _, type in ipairs({"Failed", "Stalled"}) do
  local condition = conditions[type]
  if condition ~= nil and condition.status == "True" then
    hs.status = "Degraded"
    hs.message = describe(condition)
    return hs
  end
end

hs.status = "Progressing"
local current = conditions["Reconciling"] or ready
if current ~= nil then
  hs.message = describe(current)
elseif obj.status.message ~= nil then
  hs.message = obj.status.message
else
  hs.message = "Waiting for the operator to report on the resource"
end
return hs
