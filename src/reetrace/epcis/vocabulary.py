"""The CBV 2.0 vocabularies EPCIS fields draw from, and their spellings.

A sender may write a CBV value as a bare term (`shipping`, as the JSON-LD context
allows), as the CBV 1.x URN (`urn:epcglobal:cbv:bizstep:shipping`), as a compact
IRI (`cbv:BizStep-shipping`) or as the web URI
(`https://ref.gs1.org/cbv/BizStep-shipping`). `Vocabulary.term` reads any of them
back to the bare term (what the mapping and validation compare), `Vocabulary.uri`
writes the web URI (what the Event Hash ID and the query output use). A value in
another namespace (a full URI that is not the CBV's) is a user vocabulary, which
the standard allows; a bare word that is no CBV term is an error.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FIELD_VOCABULARIES", "Vocabulary"]

CBV = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"

BIZ_STEPS = frozenset(
    {
        "accepting",
        "arriving",
        "assembling",
        "collecting",
        "commissioning",
        "consigning",
        "creating_class_instance",
        "cycle_counting",
        "decommissioning",
        "departing",
        "destroying",
        "disassembling",
        "dispensing",
        "encoding",
        "entering_exiting",
        "holding",
        "inspecting",
        "installing",
        "killing",
        "loading",
        "other",
        "packing",
        "picking",
        "receiving",
        "removing",
        "repackaging",
        "repairing",
        "replacing",
        "reserving",
        "retail_selling",
        "sampling",
        "sensor_reporting",
        "shipping",
        "staging_outbound",
        "stock_taking",
        "stocking",
        "storing",
        "transporting",
        "unloading",
        "unpacking",
        "void_shipping",
    }
)
DISPOSITIONS = frozenset(
    {
        "active",
        "available",
        "completeness_inferred",
        "completeness_verified",
        "conformant",
        "container_closed",
        "container_open",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "mismatch_class",
        "mismatch_instance",
        "mismatch_quantity",
        "needs_replacement",
        "no_pedigree_match",
        "non_conformant",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unavailable",
        "unknown",
    }
)
SOURCE_DESTINATION_TYPES = frozenset(
    {
        "location",
        "owning_party",
        "possessing_party",
    }
)
BIZ_TRANSACTION_TYPES = frozenset(
    {
        "bol",
        "cert",
        "desadv",
        "inv",
        "pedigree",
        "po",
        "poc",
        "prodorder",
        "recadv",
        "rma",
        "testprd",
        "testres",
        "upevt",
    }
)
MEASUREMENT_TYPES = frozenset(
    {
        "AbsoluteHumidity",
        "AbsorbedDose",
        "AbsorbedDoseRate",
        "Acceleration",
        "Altitude",
        "AmountOfSubstance",
        "AmountOfSubstancePerUnitVolume",
        "Angle",
        "AngularAcceleration",
        "AngularMomentum",
        "AngularVelocity",
        "Area",
        "Capacitance",
        "Conductance",
        "Conductivity",
        "Count",
        "Density",
        "Dimensionless",
        "DoseEquivalent",
        "DoseEquivalentRate",
        "DynamicViscosity",
        "ElectricCharge",
        "ElectricCurrent",
        "ElectricCurrentDensity",
        "ElectricFieldStrength",
        "Energy",
        "Exposure",
        "Force",
        "Frequency",
        "Illuminance",
        "Inductance",
        "Irradiance",
        "KinematicViscosity",
        "Length",
        "LinearMomentum",
        "Luminance",
        "LuminousFlux",
        "LuminousIntensity",
        "MagneticFlux",
        "MagneticFluxDensity",
        "MagneticVectorPotential",
        "Mass",
        "MassConcentration",
        "MassFlowRate",
        "MassPerAreaTime",
        "MemoryCapacity",
        "MolalityOfSolute",
        "MolarEnergy",
        "MolarMass",
        "MolarVolume",
        "Power",
        "Pressure",
        "RadiantFlux",
        "RadiantIntensity",
        "Radioactivity",
        "RelativeHumidity",
        "Resistance",
        "Resistivity",
        "SolidAngle",
        "SpecificVolume",
        "Speed",
        "SurfaceDensity",
        "SurfaceTension",
        "Temperature",
        "Time",
        "Torque",
        "Voltage",
        "Volume",
        "VolumeFlowRate",
        "VolumeFraction",
        "VolumetricFlux",
        "Wavenumber",
    }
)
SENSOR_EXCEPTIONS = frozenset(
    {
        "ALARM_CONDITION",
        "ERROR_CONDITION",
    }
)
COMPONENTS = frozenset(
    {
        "altitude",
        "axial_distance",
        "azimuth",
        "easting",
        "elevation_angle",
        "height",
        "latitude",
        "longitude",
        "northing",
        "polar_angle",
        "spherical_radius",
        "x",
        "y",
        "z",
    }
)
ERROR_REASONS = frozenset(
    {
        "did_not_occur",
        "incorrect_data",
    }
)


@dataclass(frozen=True)
class Vocabulary:
    """One CBV vocabulary: its terms and the prefixes its values are written with."""

    name: str
    terms: frozenset[str]
    web_prefix: str  # https://ref.gs1.org/cbv/BizStep-
    urn_prefix: str | None  # urn:epcglobal:cbv:bizstep:
    curie_prefix: str  # cbv:BizStep-

    def term(self, value: str) -> str | None:
        """The bare term `value` spells, or None when it is no term of this vocabulary."""
        for prefix in (self.web_prefix, self.urn_prefix, self.curie_prefix):
            if prefix and value.startswith(prefix):
                value = value[len(prefix) :]
                break
        return value if value in self.terms else None

    def uri(self, value: str) -> str:
        """`value` as the web URI when it is a CBV term; other values unchanged."""
        term = self.term(value)
        if term is not None:
            return self.web_prefix + term
        if self.urn_prefix and value.startswith(self.urn_prefix):
            return self.web_prefix + value[len(self.urn_prefix) :]
        if value.startswith(self.curie_prefix):
            return self.web_prefix + value[len(self.curie_prefix) :]
        return value

    def is_user_value(self, value: str) -> bool:
        """A value in a namespace of the sender's own (any URI that is not the CBV's)."""
        return (
            ":" in value
            and self.term(value) is None
            and not value.startswith(
                (self.web_prefix, self.curie_prefix, *(p for p in [self.urn_prefix] if p))
            )
        )


def _cbv(name: str, terms: frozenset[str], web: str, urn: str | None) -> Vocabulary:
    return Vocabulary(name, terms, CBV + web, urn, "cbv:" + web)


def _gs1(name: str, terms: frozenset[str]) -> Vocabulary:
    return Vocabulary(name, terms, GS1_VOC, None, "gs1:")


BIZ_STEP = _cbv("bizStep", BIZ_STEPS, "BizStep-", "urn:epcglobal:cbv:bizstep:")
DISPOSITION = _cbv("disposition", DISPOSITIONS, "Disp-", "urn:epcglobal:cbv:disp:")
BIZ_TRANSACTION_TYPE = _cbv(
    "bizTransaction type", BIZ_TRANSACTION_TYPES, "BTT-", "urn:epcglobal:cbv:btt:"
)
SOURCE_DESTINATION_TYPE = _cbv(
    "source/destination type", SOURCE_DESTINATION_TYPES, "SDT-", "urn:epcglobal:cbv:sdt:"
)
ERROR_REASON = _cbv("error reason", ERROR_REASONS, "ER-", "urn:epcglobal:cbv:er:")
COMPONENT = _cbv("component", COMPONENTS, "Comp-", None)
MEASUREMENT_TYPE = _gs1("measurement type", MEASUREMENT_TYPES)
SENSOR_EXCEPTION = _gs1("sensor exception", SENSOR_EXCEPTIONS)

# (parent element, field) -> vocabulary; parent None means the event itself.
FIELD_VOCABULARIES: dict[tuple[str | None, str], Vocabulary] = {
    (None, "bizStep"): BIZ_STEP,
    (None, "disposition"): DISPOSITION,
    ("persistentDisposition", "set"): DISPOSITION,
    ("persistentDisposition", "unset"): DISPOSITION,
    ("bizTransaction", "type"): BIZ_TRANSACTION_TYPE,
    ("source", "type"): SOURCE_DESTINATION_TYPE,
    ("destination", "type"): SOURCE_DESTINATION_TYPE,
    ("errorDeclaration", "reason"): ERROR_REASON,
    ("sensorReport", "type"): MEASUREMENT_TYPE,
    ("sensorReport", "exception"): SENSOR_EXCEPTION,
    ("sensorReport", "component"): COMPONENT,
}
